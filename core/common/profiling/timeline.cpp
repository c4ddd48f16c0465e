// SPDX-License-Identifier: Apache-2.0
#include "common/profiling/timeline.h"

#include <algorithm>
#include <limits>
#include <set>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/profiling/range_names.h"

namespace spstudio::profiling {
namespace {

using Interval = std::pair<std::int64_t, std::int64_t>;  // [begin, end) in ns

/// Sorted, disjoint union of intervals.
std::vector<Interval> merged(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end());
  std::vector<Interval> out;
  for (const Interval& i : intervals) {
    if (i.second <= i.first) continue;
    if (!out.empty() && i.first <= out.back().second) {
      out.back().second = std::max(out.back().second, i.second);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

/// Nanoseconds of `a` (sorted, disjoint) covered by `b` (sorted, disjoint).
std::int64_t overlap_ns(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::int64_t total = 0;
  std::size_t j = 0;
  for (const Interval& x : a) {
    while (j < b.size() && b[j].second <= x.first)
      ++j;
    for (std::size_t k = j; k < b.size() && b[k].first < x.second; ++k) {
      total += std::min(x.second, b[k].second) - std::max(x.first, b[k].first);
    }
  }
  return total;
}

std::vector<Interval> united(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> all = a;
  all.insert(all.end(), b.begin(), b.end());
  return merged(std::move(all));
}

double ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

/// The trace thread of a rank's stream: rank + 1 for the host ranges (as before streams existed),
/// 1000 further per stream for device ranges.
int thread_id(int rank, int stream) {
  return (rank + 1) + 1000 * stream;
}

}  // namespace

void RangeNames::define(const wire::StringDef& def) {
  names_[{def.rank, def.id}] = def.text;
}

std::vector<NamedRange> RangeNames::resolve(const wire::Ranges& ranges) const {
  std::vector<NamedRange> out;
  out.reserve(ranges.records.size());
  for (const wire::RangeRecord& r : ranges.records) {
    const auto found = names_.find({ranges.rank, r.name_id});
    if (found == names_.end()) {
      throw std::runtime_error("rank " + std::to_string(ranges.rank) + " sent a range with name id " +
                               std::to_string(r.name_id) + " that it never defined (no StringDef for it), in step " +
                               std::to_string(ranges.step) + " of job " + std::to_string(ranges.job_id));
    }
    NamedRange n;
    n.rank = static_cast<int>(ranges.rank);
    n.name = found->second;
    n.begin_ns = r.begin_ns;
    n.end_ns = r.end_ns;
    n.depth = r.depth;
    n.stream = r.stream;
    n.job_id = ranges.job_id;
    n.image_index = static_cast<int>(ranges.image_index);
    n.step = ranges.step;
    out.push_back(std::move(n));
  }
  return out;
}

void RangeNames::clear() {
  names_.clear();
}

std::vector<StepBreakdown> step_breakdowns(const std::vector<NamedRange>& ranges) {
  // Per (rank, job, image, step) and stream: the step ranges and each category's intervals.
  struct Group {
    std::vector<Interval> step, attention, all_to_all, ring_p2p;
  };
  using Key = std::tuple<int, std::uint64_t, int, int>;
  std::map<Key, std::map<int, Group>> streams;
  for (const NamedRange& r : ranges) {
    Group& g = streams[{r.rank, r.job_id, r.image_index, r.step}][r.stream];
    const Interval i{r.begin_ns, r.end_ns};
    if (r.name == range_names::kStep) g.step.push_back(i);
    if (r.name == range_names::kAttentionKernel) g.attention.push_back(i);
    if (r.name == range_names::kAllToAll) g.all_to_all.push_back(i);
    if (r.name == range_names::kRingP2P) g.ring_p2p.push_back(i);
  }
  // One stream per step, never a sum over streams: the device stream (the lowest non-zero one with
  // a step range) when there is one, since on a GPU the host ranges only measure launches.
  std::map<Key, Group> groups;
  for (auto& [key, by_stream] : streams) {
    auto chosen = by_stream.end();
    for (auto it = by_stream.begin(); it != by_stream.end(); ++it) {
      if (it->first != 0 && !it->second.step.empty()) {
        chosen = it;
        break;
      }
    }
    if (chosen == by_stream.end()) chosen = by_stream.find(0);
    if (chosen != by_stream.end()) groups[key] = std::move(chosen->second);
  }
  std::vector<StepBreakdown> out;
  for (const auto& [key, g] : groups) {
    if (g.step.empty()) continue;
    // Exclusive categories: each counts only time inside the step that no earlier category has
    // claimed (union per category, so nested or overlapping ranges of one name count once; an
    // all-to-all issued inside a kernel range is kernel time).
    const std::vector<Interval> step = merged(g.step);
    const std::vector<Interval> attention = merged(g.attention);
    const std::vector<Interval> a2a = merged(g.all_to_all);
    const std::vector<Interval> p2p = merged(g.ring_p2p);
    const std::vector<Interval> claimed = united(attention, a2a);
    StepBreakdown b;
    std::tie(b.rank, b.job_id, b.image_index, b.step) = key;
    std::int64_t step_ns = 0;
    for (const Interval& i : step)
      step_ns += i.second - i.first;
    const std::int64_t attention_ns = overlap_ns(step, attention);
    b.step_ms = ms(step_ns);
    b.attention_ms = ms(attention_ns);
    // Inclusion–exclusion: |S∩A2A \ ATT| = |S∩(ATT∪A2A)| − |S∩ATT|, and likewise for P2P.
    const std::int64_t claimed_ns = overlap_ns(step, claimed);
    b.all_to_all_ms = ms(claimed_ns - attention_ns);
    b.ring_p2p_ms = ms(overlap_ns(step, united(claimed, p2p)) - claimed_ns);
    b.other_ms = std::max(0.0, b.step_ms - b.attention_ms - b.all_to_all_ms - b.ring_p2p_ms);
    out.push_back(b);
  }
  return out;  // std::map iterates in key order: sorted by (rank, job, image, step)
}

std::string chrome_trace_json(const std::vector<NamedRange>& ranges) {
  using nlohmann::json;
  json events = json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "SP Studio"}}}});
  std::int64_t origin = std::numeric_limits<std::int64_t>::max();
  std::set<std::pair<int, int>> rows;  // (rank, stream)
  for (const NamedRange& r : ranges) {
    origin = std::min(origin, r.begin_ns);
    rows.emplace(r.rank, r.stream);
  }
  for (const auto& [rank, stream] : rows) {
    // Device rows carry the rank's name too: importers (ours included) map threads to ranks by it.
    const int tid = thread_id(rank, stream);
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", 1},
                      {"tid", tid},
                      {"args", {{"name", "rank " + std::to_string(rank)}}}});
    events.push_back({{"name", "thread_sort_index"},
                      {"ph", "M"},
                      {"pid", 1},
                      {"tid", tid},
                      {"args", {{"sort_index", rank * 10 + stream}}}});
  }
  // Parents before children at equal start times, so viewers nest them the same way every time.
  std::vector<const NamedRange*> order;
  for (const NamedRange& r : ranges)
    order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const NamedRange* a, const NamedRange* b) {
    return std::make_tuple(a->rank, a->stream, a->begin_ns, -a->end_ns, a->depth) <
           std::make_tuple(b->rank, b->stream, b->begin_ns, -b->end_ns, b->depth);
  });
  for (const NamedRange* r : order) {
    json args = {{"step", r->step}, {"job", r->job_id}, {"image", r->image_index}};
    if (r->stream != 0) args["stream"] = r->stream;
    events.push_back({{"name", r->name},
                      {"cat", "spstudio"},
                      {"ph", "X"},
                      {"ts", static_cast<double>(r->begin_ns - origin) / 1e3},
                      {"dur", static_cast<double>(r->end_ns - r->begin_ns) / 1e3},
                      {"pid", 1},
                      {"tid", thread_id(r->rank, r->stream)},
                      {"args", std::move(args)}});
  }
  return json{{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}}.dump();
}

}  // namespace spstudio::profiling
