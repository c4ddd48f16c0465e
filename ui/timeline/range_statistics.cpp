// SPDX-License-Identifier: Apache-2.0
// Per-name statistics over a selection (rules in the header).
#include "ui/timeline/range_statistics.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/profiling/range_names.h"

namespace spstudio::ui {

using profiling::NamedRange;

double nearest_rank_percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const auto index = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size())));
  return sorted[index - 1];
}

RangeStatistics range_statistics(const std::vector<NamedRange>& ranges, std::int64_t t0, std::int64_t t1) {
  RangeStatistics out;
  out.begin_ns = std::min(t0, t1);
  out.end_ns = std::max(t0, t1);
  std::set<int> ranks;
  for (const NamedRange& r : ranges)
    ranks.insert(r.rank);
  out.ranks.assign(ranks.begin(), ranks.end());
  const auto column_of = [&](int rank) {
    return static_cast<std::size_t>(std::lower_bound(out.ranks.begin(), out.ranks.end(), rank) - out.ranks.begin());
  };

  const StepDurations steps(ranges);
  std::map<std::string, std::vector<double>> durations;                     // name → ms of its selected ranges
  std::map<std::string, std::vector<RankStatistics>> by_rank;               // name → per rank column
  std::map<std::string, std::vector<double>> in_steps_ms;                   // name → per rank, ms inside steps
  std::vector<std::set<StepDurations::StepKey>> touched(out.ranks.size());  // steps per rank column
  std::vector<double> step_ms(out.ranks.size(), 0.0);                       // their full durations
  for (const NamedRange& r : ranges) {
    if (r.begin_ns < out.begin_ns || r.begin_ns > out.end_ns) continue;
    const std::size_t column = column_of(r.rank);
    const double ms = r.duration_ms();
    durations[r.name].push_back(ms);
    std::vector<RankStatistics>& columns = by_rank[r.name];
    columns.resize(out.ranks.size());
    ++columns[column].count;
    columns[column].total_ms += ms;
    if (const std::optional<std::int64_t> step_ns = steps.stepNs(r)) {
      std::vector<double>& shares = in_steps_ms[r.name];
      shares.resize(out.ranks.size());
      shares[column] += ms;
      if (touched[column].insert(StepDurations::keyOf(r)).second)
        step_ms[column] += static_cast<double>(*step_ns) / 1e6;
    }
  }

  for (auto& [name, values] : durations) {
    std::sort(values.begin(), values.end());
    NameStatistics s;
    s.name = name;
    s.count = values.size();
    for (const double v : values)
      s.total_ms += v;
    s.mean_ms = s.total_ms / static_cast<double>(s.count);
    s.p50_ms = nearest_rank_percentile(values, 50);
    s.p95_ms = nearest_rank_percentile(values, 95);
    s.per_rank = std::move(by_rank[name]);
    for (RankStatistics& cell : s.per_rank) {
      if (cell.count > 0) cell.mean_ms = cell.total_ms / static_cast<double>(cell.count);
    }
    const auto within = in_steps_ms.find(name);
    if (within != in_steps_ms.end()) {
      double share_sum = 0;
      int ranks_with_steps = 0;
      for (std::size_t c = 0; c < step_ms.size(); ++c) {
        if (step_ms[c] <= 0) continue;
        share_sum += within->second[c] / step_ms[c];
        ++ranks_with_steps;
      }
      if (ranks_with_steps > 0) s.share_of_step = share_sum / ranks_with_steps;
    }
    out.names.push_back(std::move(s));
  }
  std::sort(out.names.begin(), out.names.end(), [](const NameStatistics& a, const NameStatistics& b) {
    return a.total_ms != b.total_ms ? a.total_ms > b.total_ms : a.name < b.name;
  });
  return out;
}

StepDurations::StepDurations(const std::vector<NamedRange>& ranges) {
  for (const NamedRange& r : ranges) {
    if (r.name == range_names::kStep) step_ns_[keyOf(r)] += r.end_ns - r.begin_ns;
  }
}

StepDurations::StepKey StepDurations::keyOf(const NamedRange& range) {
  return {range.rank, range.job_id, range.image_index, range.step};
}

std::optional<std::int64_t> StepDurations::stepNs(const NamedRange& range) const {
  const auto found = step_ns_.find(keyOf(range));
  if (found == step_ns_.end() || found->second <= 0) return std::nullopt;
  return found->second;
}

std::optional<double> StepDurations::shareOfStep(const NamedRange& range) const {
  const std::optional<std::int64_t> step_ns = stepNs(range);
  if (!step_ns) return std::nullopt;
  return static_cast<double>(range.end_ns - range.begin_ns) / static_cast<double>(*step_ns);
}

}  // namespace spstudio::ui
