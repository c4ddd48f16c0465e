// SPDX-License-Identifier: Apache-2.0
// Profiling ranges from every rank on one clock: names resolved from each rank's StringDefs, the
// per-step breakdown the bench reports (attention kernel / all-to-all / ring P2P / other), and the
// Chrome/Perfetto trace JSON export (one row per rank). Pure C++: the CLI and the GUI share it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/wire/messages.h"

namespace spstudio::profiling {

struct NamedRange {
  int rank = 0;
  std::string name;
  std::int64_t begin_ns = 0, end_ns = 0;  ///< host steady clock
  int depth = 0, stream = 0;
  std::uint64_t job_id = 0;
  int image_index = 0;
  int step = 0;  ///< as in wire::Ranges
  double duration_ms() const { return static_cast<double>(end_ns - begin_ns) / 1e6; }
};

/// Each rank's id → name table (range names are sent once per worker).
class RangeNames {
 public:
  void define(const wire::StringDef& def);
  /// Throws std::runtime_error naming the rank and id when a record uses an undefined id.
  std::vector<NamedRange> resolve(const wire::Ranges& ranges) const;
  void clear();

 private:
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> names_;  // (rank, id) → name
};

/// Where one rank's step time went. Exclusive categories: attention = attention_kernel ranges,
/// all_to_all, ring_p2p (time waiting for K/V), other = step − the three (never negative).
/// One stream per step, so nothing counts twice: when the step's ranges include device ranges
/// (stream ≠ 0, CUDA-event times), the lowest such stream that has a "step" range is used alone,
/// since on a GPU the device time is what a step costs and the host ranges there only measure
/// launches; otherwise the host ranges (stream 0).
struct StepBreakdown {
  int rank = 0;
  std::uint64_t job_id = 0;
  int image_index = 0;
  int step = 0;
  double step_ms = 0, attention_ms = 0, all_to_all_ms = 0, ring_p2p_ms = 0, other_ms = 0;
};
/// One entry per (rank, job, image, step) that has a "step" range, sorted by those keys.
std::vector<StepBreakdown> step_breakdowns(const std::vector<NamedRange>& ranges);

/// Chrome trace event JSON ("traceEvents", complete "X" events in µs relative to the earliest
/// begin, pid 1, args {step, job, image, and stream when ≠ 0}). One thread per (rank, stream):
/// tid = (rank + 1) + 1000 · stream, each named "rank N" (thread_name metadata, which is how
/// ranges_from_chrome_trace maps threads back to ranks; the stream comes back from args) and
/// sorted rank · 10 + stream, so a rank's device row sits under its host row.
/// Perfetto and chrome://tracing open it.
std::string chrome_trace_json(const std::vector<NamedRange>& ranges);

}  // namespace spstudio::profiling
