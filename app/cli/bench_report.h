// SPDX-License-Identifier: Apache-2.0
// The numbers `spstudio-cli bench` reports for each (U × R) configuration, computed from plain
// values so they are unit-tested without workers, and their table and JSON forms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/parallel_config.h"
#include "common/profiling/timeline.h"

namespace spstudio::cli {

struct Spread {
  double median = 0, min = 0, max = 0, p25 = 0, p75 = 0;
  std::size_t count = 0;
};
/// Median, quartiles (linear interpolation) and range; all zero for no values.
Spread spread_of(std::vector<double> values);

/// Shares of the summed step time (0..1), per rank first, then averaged over ranks.
struct TimeShares {
  double attention = 0, all_to_all = 0, ring_p2p = 0, other = 0;
};
TimeShares time_shares(const std::vector<profiling::StepBreakdown>& steps);

struct ConfigResult {
  ParallelConfig degrees;
  int world = 1;
  int images = 0, steps_per_image = 0;
  Spread step_ms;           ///< rank 0's measured steps
  double images_per_s = 0;  ///< measured images / their wall time
  double wall_ms = 0;
  TimeShares shares;
  std::vector<std::uint64_t> peak_memory_bytes;  ///< per rank
  Spread preview_latency_ms;                     ///< step end → preview received
  double startup_ms = 0;                         ///< pool start → every rank Ready
  std::vector<std::string> devices;              ///< per rank
};

/// An aligned text table, one row per configuration.
std::string bench_table(const std::vector<ConfigResult>& results);
/// {"format": "spstudio-bench/1", "model", "height", "width", "steps", "warmup", "repeat", "configs": [...]}.
std::string bench_json(const std::vector<ConfigResult>& results, const std::string& model, int height, int width,
                       int steps, int warmup, int repeat);

/// "1x1,2x1,1x2" → configurations; throws CliError naming the bad item.
std::vector<ParallelConfig> parse_configs(const std::string& text);

}  // namespace spstudio::cli
