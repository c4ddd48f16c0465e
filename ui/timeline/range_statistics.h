// SPDX-License-Identifier: Apache-2.0
// Statistics per range name over a time selection: count, mean, p50, p95, total, share of the step
// time, and count / mean / total per rank; plus each range's share of its own step for the hover
// text. GUI-free.
//
// Rules:
// - Selection: a range counts when it begins inside [t0, t1], both ends included (a range is never
//   split: its whole duration counts).
// - Quantiles: nearest rank. The p-th percentile of n sorted durations is the ⌈p/100 · n⌉-th
//   smallest (1-based; the smallest for p = 0). p50 of {1, 2, 3, 4} is 2; p95 of 20 values is the
//   19th.
// - Share of step: a range's step is the "step" range of the same (rank, job, image, step). Per
//   rank, the name's selected time in ranges that have a step, over the full duration of the steps
//   the selection touches (the steps of all ranges beginning inside it); then the mean over the
//   ranks with such steps (a rank without the name counts as 0 %). So a selection inside one step
//   still has shares, and averaging per rank keeps one slow rank from hiding the others. Names
//   outside any step (text_encode, vae_decode) have no share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/profiling/timeline.h"

namespace spstudio::ui {

struct RankStatistics {
  std::size_t count = 0;
  double mean_ms = 0, total_ms = 0;
};

struct NameStatistics {
  std::string name;
  std::size_t count = 0;
  double mean_ms = 0, p50_ms = 0, p95_ms = 0, total_ms = 0;
  std::optional<double> share_of_step;   ///< a fraction (0.25 = 25 %)
  std::vector<RankStatistics> per_rank;  ///< aligned with RangeStatistics::ranks
};

struct RangeStatistics {
  std::int64_t begin_ns = 0, end_ns = 0;  ///< the selection
  std::vector<int> ranks;                 ///< ascending
  std::vector<NameStatistics> names;      ///< by total time, largest first (then by name)
};

/// The per-rank columns are the ranks of all `ranges`, not only of the selected ones, so that they
/// stay put while the selection moves.
RangeStatistics range_statistics(const std::vector<profiling::NamedRange>& ranges, std::int64_t t0, std::int64_t t1);

/// Nearest-rank percentile of ascending `sorted` values (see above); 0 for no values.
double nearest_rank_percentile(const std::vector<double>& sorted, double p);

/// The duration of every step: total of the "step" ranges per (rank, job, image, step).
class StepDurations {
 public:
  StepDurations() = default;
  explicit StepDurations(const std::vector<profiling::NamedRange>& ranges);
  using StepKey = std::tuple<int, std::uint64_t, int, int>;  ///< rank, job, image, step
  static StepKey keyOf(const profiling::NamedRange& range);

  /// The duration of the range's step; nullopt when it has none.
  std::optional<std::int64_t> stepNs(const profiling::NamedRange& range) const;
  /// The range's duration over its step's; nullopt without a step.
  std::optional<double> shareOfStep(const profiling::NamedRange& range) const;

 private:
  std::map<StepKey, std::int64_t> step_ns_;
};

}  // namespace spstudio::ui
