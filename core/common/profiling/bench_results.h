// SPDX-License-Identifier: Apache-2.0
// What a benchmark sweep measured for each (U × R) configuration, computed from plain values so it
// is unit-tested without workers, and its forms: the CLI's aligned table and the
// "spstudio-bench/1" JSON that `spstudio-cli bench --json` writes and the GUI's comparison view
// reads back (pure C++: the CLI, the session library and the GUI share it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/parallel_config.h"
#include "common/profiling/timeline.h"

namespace spstudio::bench {

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
  std::string backend;  ///< the communicator that ran: "local", "gloo", "nccl" ("" in older files)
};

/// One sweep: what was run and what each configuration measured, in run order.
struct BenchRun {
  std::string model;
  int height = 0, width = 0;
  int steps = 0, warmup = 0, repeat = 0;
  std::vector<ConfigResult> configs;
};

inline constexpr const char* kBenchFormat = "spstudio-bench/1";

/// "2x1" (the CLI's --configs spelling).
std::string config_label(const ParallelConfig& degrees);

/// An aligned text table, one row per configuration.
std::string bench_table(const std::vector<ConfigResult>& results);
/// {"format": "spstudio-bench/1", "model", "height", "width", "steps", "warmup", "repeat", "configs": [...]}.
std::string bench_json(const BenchRun& run);
/// Reads bench_json's text back. Throws std::runtime_error naming the field and the configuration
/// ("bench JSON: configs[2].step_ms.median: expected a number").
BenchRun bench_from_json(const std::string& text);

/// "1x1,2x1,1x2" → configurations; throws std::invalid_argument naming the bad item.
std::vector<ParallelConfig> parse_config_list(const std::string& text);

}  // namespace spstudio::bench
