// SPDX-License-Identifier: Apache-2.0
// Lane assignment in one sweep per (rank, stream) over the ranges sorted by begin (longest first),
// keeping the ranges still open and each lane's last end.
#include "ui/timeline/timeline_layout.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

namespace spstudio::ui {

using profiling::NamedRange;

namespace {

std::string row_label(int rank, int stream) {
  std::string label = "rank " + std::to_string(rank);
  if (stream != 0) label += " \u00b7 stream " + std::to_string(stream);
  return label;
}

/// Lanes for the ranges of one row (`order`: their indices sorted by begin, longest first).
std::vector<std::vector<std::size_t>> assign_lanes(const std::vector<NamedRange>& ranges,
                                                   const std::vector<std::size_t>& order, std::vector<int>& lane_of) {
  std::vector<std::vector<std::size_t>> lanes;
  std::vector<std::int64_t> lane_end;  // the end of the last range placed in each lane
  std::vector<std::size_t> open;       // placed ranges that may still contain later ones
  for (const std::size_t i : order) {
    const NamedRange& r = ranges[i];
    open.erase(std::remove_if(open.begin(), open.end(), [&](std::size_t j) { return ranges[j].end_ns <= r.begin_ns; }),
               open.end());
    // Below the deepest range that contains this one...
    int lane = 0;
    for (const std::size_t j : open) {
      if (ranges[j].begin_ns <= r.begin_ns && r.end_ns <= ranges[j].end_ns) lane = std::max(lane, lane_of[j] + 1);
    }
    // ...in the first lane free at its begin (an overlapping, non-nested range moves further down).
    while (static_cast<std::size_t>(lane) < lane_end.size() && lane_end[static_cast<std::size_t>(lane)] > r.begin_ns)
      ++lane;
    const auto l = static_cast<std::size_t>(lane);
    if (l >= lanes.size()) {
      lanes.resize(l + 1);
      lane_end.resize(l + 1, r.begin_ns);
    }
    lanes[l].push_back(i);
    lane_end[l] = std::max(lane_end[l], r.end_ns);
    lane_of[i] = lane;
    open.push_back(i);
  }
  return lanes;
}

}  // namespace

TimelineLayout::TimelineLayout(const std::vector<NamedRange>& ranges, const TimelineRowMetrics& metrics)
    : metrics_(metrics), row_of_(ranges.size(), -1), lane_of_(ranges.size(), 0), height_(metrics.top) {
  std::map<std::pair<int, int>, std::vector<std::size_t>> by_row;  // (rank, stream) → indices
  for (std::size_t i = 0; i < ranges.size(); ++i)
    by_row[{ranges[i].rank, ranges[i].stream}].push_back(i);
  double y = metrics.top;
  for (auto& [key, order] : by_row) {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::make_tuple(ranges[a].begin_ns, -ranges[a].end_ns, a) <
             std::make_tuple(ranges[b].begin_ns, -ranges[b].end_ns, b);
    });
    TimelineRow row;
    row.rank = key.first;
    row.stream = key.second;
    row.label = row_label(row.rank, row.stream);
    row.lanes = assign_lanes(ranges, order, lane_of_);
    if (!rows_.empty()) y += rows_.back().rank == row.rank ? metrics.stream_gap : metrics.rank_gap;
    row.top = y;
    row.height = static_cast<double>(row.lanes.size()) * metrics.lane_height;
    y += row.height;
    for (const std::size_t i : order)
      row_of_[i] = static_cast<int>(rows_.size());
    rows_.push_back(std::move(row));
  }
  height_ = y;
}

int TimelineLayout::firstRowOf(int rank) const {
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].rank == rank) return static_cast<int>(r);
  }
  return -1;
}

int TimelineLayout::rowAt(double y) const {
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (y >= rows_[r].top && y < rows_[r].top + rows_[r].height) return static_cast<int>(r);
  }
  return -1;
}

double TimelineLayout::laneTop(int row, int lane) const {
  return rows_[static_cast<std::size_t>(row)].top + lane * metrics_.lane_height;
}

std::pair<std::size_t, std::size_t> TimelineLayout::visible(const std::vector<NamedRange>& ranges, int row, int lane,
                                                            std::int64_t begin_ns, std::int64_t end_ns) const {
  const std::vector<std::size_t>& in_lane = rows_[static_cast<std::size_t>(row)].lanes[static_cast<std::size_t>(lane)];
  const auto first = std::lower_bound(in_lane.begin(), in_lane.end(), begin_ns,
                                      [&](std::size_t i, std::int64_t t) { return ranges[i].end_ns < t; });
  const auto last = std::upper_bound(first, in_lane.end(), end_ns,
                                     [&](std::int64_t t, std::size_t i) { return t < ranges[i].begin_ns; });
  return {static_cast<std::size_t>(first - in_lane.begin()), static_cast<std::size_t>(last - in_lane.begin())};
}

std::optional<std::size_t> TimelineLayout::rangeAt(const std::vector<NamedRange>& ranges, const TimelineAxis& axis,
                                                   double x, double y, double min_bar_px) const {
  const int row = rowAt(y);
  if (row < 0) return std::nullopt;
  const int lane = static_cast<int>((y - rows_[static_cast<std::size_t>(row)].top) / metrics_.lane_height);
  const TimelineRow& r = rows_[static_cast<std::size_t>(row)];
  if (lane < 0 || static_cast<std::size_t>(lane) >= r.lanes.size()) return std::nullopt;
  const auto [first, last] = visible(ranges, row, lane, axis.ns_of(x - min_bar_px), axis.ns_of(x + min_bar_px));
  std::optional<std::size_t> best;
  double best_width = 0;
  for (std::size_t k = first; k < last; ++k) {
    const std::size_t i = r.lanes[static_cast<std::size_t>(lane)][k];
    const PixelSpan bar = axis.bar(ranges[i].begin_ns, ranges[i].end_ns, min_bar_px);
    if (x < bar.left || x > bar.right()) continue;
    if (!best || bar.width < best_width) {
      best = i;
      best_width = bar.width;
    }
  }
  return best;
}

}  // namespace spstudio::ui
