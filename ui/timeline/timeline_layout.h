// SPDX-License-Identifier: Apache-2.0
// Where each range sits in the timeline: one row group per rank (all on one clock), one row per
// stream inside it, and lanes inside a row by nesting — a range goes one lane below the deepest
// range containing it, and a range that overlaps another without nesting is pushed down to the
// next free lane. Pixel heights and hit-testing, GUI-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/profiling/timeline.h"
#include "ui/timeline/timeline_axis.h"

namespace spstudio::ui {

struct TimelineRowMetrics {
  double top = 0;           ///< y of the first row (below the ruler)
  double lane_height = 18;  ///< one lane of bars
  double stream_gap = 2;    ///< between two rows of one rank
  double rank_gap = 8;      ///< between two ranks
};

struct TimelineRow {
  int rank = 0, stream = 0;
  std::string label;  ///< "rank 0" for stream 0, "rank 0 · stream 1" for the others
  double top = 0, height = 0;
  /// Range indices per lane, sorted by begin; the ranges of one lane never overlap, so they are
  /// sorted by end too.
  std::vector<std::vector<std::size_t>> lanes;
};

class TimelineLayout {
 public:
  TimelineLayout() = default;
  explicit TimelineLayout(const std::vector<profiling::NamedRange>& ranges, const TimelineRowMetrics& metrics = {});

  const std::vector<TimelineRow>& rows() const { return rows_; }
  const TimelineRowMetrics& metrics() const { return metrics_; }
  int rowOf(std::size_t range) const { return row_of_[range]; }
  int laneOf(std::size_t range) const { return lane_of_[range]; }
  /// The bottom of the last row (metrics.top when there are no ranges).
  double height() const { return height_; }
  /// The first row of a rank; -1 when the rank has no ranges.
  int firstRowOf(int rank) const;

  /// The row under y; -1 between rows or outside.
  int rowAt(double y) const;
  double laneTop(int row, int lane) const;

  /// Positions [first, last) in lanes[lane] of row `row` whose ranges meet [begin_ns, end_ns].
  std::pair<std::size_t, std::size_t> visible(const std::vector<profiling::NamedRange>& ranges, int row, int lane,
                                              std::int64_t begin_ns, std::int64_t end_ns) const;

  /// The range drawn under (x, y) with bars at least min_bar_px wide (x in the axis' pixels);
  /// where bars touch the point, the narrowest wins (a tiny range drawn over its neighbour).
  std::optional<std::size_t> rangeAt(const std::vector<profiling::NamedRange>& ranges, const TimelineAxis& axis,
                                     double x, double y, double min_bar_px = 2.0) const;

 private:
  TimelineRowMetrics metrics_;
  std::vector<TimelineRow> rows_;
  std::vector<int> row_of_, lane_of_;
  double height_ = 0;
};

}  // namespace spstudio::ui
