// SPDX-License-Identifier: Apache-2.0
// Chrome trace JSON → NamedRange: two passes, events to ranges keyed by their thread, then threads
// to ranks and the nesting depth rebuilt per (rank, stream).
#include "common/profiling/chrome_trace_import.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>

namespace spstudio::profiling {
namespace {

using nlohmann::json;
using ThreadKey = std::pair<json, json>;  // (pid, tid): numbers or strings, compared as JSON values

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::runtime_error("trace: " + where + ": " + what);
}

/// One range before its thread is mapped to a rank.
struct Pending {
  ThreadKey thread;
  NamedRange range;
  std::size_t index = 0;  ///< of its (first) event, to keep the file's order among equal times
};

std::int64_t microseconds_to_ns(const json& event, const char* field, const std::string& where) {
  const auto found = event.find(field);
  if (found == event.end() || !found->is_number()) fail(where + "." + field, "expected a number");
  const double ns = found->get<double>() * 1e3;
  if (!std::isfinite(ns) || std::fabs(ns) > 9e18) fail(where + "." + field, "out of range");
  return std::llround(ns);
}

/// pid or tid: a number or a string; 0 when absent (some writers leave pid out).
json thread_part(const json& event, const char* field, const std::string& where) {
  const auto found = event.find(field);
  if (found == event.end()) return 0;
  if (!found->is_number() && !found->is_string()) fail(where + "." + field, "expected a number or a string");
  return *found;
}

template <typename T>
T integer_arg(const json& args, const char* field, const std::string& where) {
  const auto found = args.find(field);
  if (found == args.end()) return T{0};
  const bool ok = std::is_signed_v<T> ? found->is_number_integer() : found->is_number_unsigned();
  if (!ok) fail(where + ".args." + field, std::is_signed_v<T> ? "expected an integer" : "expected an unsigned integer");
  return found->get<T>();
}

/// name, thread and args of an "X" or "B" event.
Pending pending_of(const json& event, std::size_t index, const std::string& where) {
  Pending p;
  p.index = index;
  p.thread = {thread_part(event, "pid", where), thread_part(event, "tid", where)};
  const auto name = event.find("name");
  if (name == event.end() || !name->is_string()) fail(where + ".name", "expected a string");
  p.range.name = name->get<std::string>();
  const auto args = event.find("args");
  if (args != event.end()) {
    if (!args->is_object()) fail(where + ".args", "expected an object");
    p.range.step = integer_arg<int>(*args, "step", where);
    p.range.job_id = integer_arg<std::uint64_t>(*args, "job", where);
    p.range.image_index = integer_arg<int>(*args, "image", where);
    p.range.stream = integer_arg<int>(*args, "stream", where);
  }
  return p;
}

/// "rank 3" → 3.
std::optional<int> rank_of_thread_name(const json& event) {
  const auto args = event.find("args");
  if (args == event.end() || !args->is_object()) return std::nullopt;
  const auto name = args->find("name");
  if (name == args->end() || !name->is_string()) return std::nullopt;
  // Exactly "rank " and 1 to 6 digits (no std::regex: GCC 12 warns inside it under ASan).
  const std::string text = name->get<std::string>();
  const std::string prefix = "rank ";
  const std::size_t digits = text.size() - std::min(text.size(), prefix.size());
  if (text.compare(0, prefix.size(), prefix) != 0 || digits < 1 || digits > 6) return std::nullopt;
  int rank = 0;
  for (std::size_t i = prefix.size(); i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    rank = rank * 10 + (text[i] - '0');
  }
  return rank;
}

/// Ranks for every thread that holds ranges (see the header for the rule).
std::map<ThreadKey, int> assign_ranks(const std::vector<Pending>& pending, const std::map<ThreadKey, int>& named,
                                      const std::set<ThreadKey>& ours) {
  std::map<ThreadKey, int> ranks;
  std::set<int> taken;
  std::set<ThreadKey> others;
  for (const Pending& p : pending) {
    if (ranks.count(p.thread) || others.count(p.thread)) continue;
    const auto name = named.find(p.thread);
    const json& tid = p.thread.second;
    if (name != named.end()) {
      ranks[p.thread] = name->second;
    } else if (ours.count(p.thread) && tid.is_number_integer() && tid.get<std::int64_t>() >= 1 &&
               tid.get<std::int64_t>() <= 1000000) {
      ranks[p.thread] = static_cast<int>(tid.get<std::int64_t>() - 1);
    } else {
      others.insert(p.thread);
      continue;
    }
    taken.insert(ranks[p.thread]);
  }
  int next = 0;
  for (const ThreadKey& thread : others) {  // std::set: ascending (pid, tid)
    while (taken.count(next))
      ++next;
    ranks[thread] = next;
    taken.insert(next);
  }
  return ranks;
}

/// Depth = how many earlier ranges of the same (rank, stream) are still open at its begin;
/// `ranges` sorted by (rank, stream, begin, longest first).
void rebuild_depths(std::vector<NamedRange>& ranges) {
  std::vector<std::int64_t> open_ends;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    NamedRange& r = ranges[i];
    if (i > 0 && (ranges[i - 1].rank != r.rank || ranges[i - 1].stream != r.stream)) open_ends.clear();
    while (!open_ends.empty() && open_ends.back() <= r.begin_ns)
      open_ends.pop_back();
    r.depth = static_cast<int>(open_ends.size());
    open_ends.push_back(r.end_ns);
  }
}

const json& events_of(const json& root, std::string& prefix) {
  if (root.is_array()) {
    prefix = "";
    return root;
  }
  if (!root.is_object())
    throw std::runtime_error("trace: expected a JSON array of events or an object with traceEvents");
  const auto events = root.find("traceEvents");
  if (events == root.end()) throw std::runtime_error("trace: no traceEvents in the JSON object");
  if (!events->is_array()) fail("traceEvents", "expected an array");
  prefix = "traceEvents";
  return *events;
}

}  // namespace

std::vector<NamedRange> ranges_from_chrome_trace(const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const std::size_t bracket = what.find("] ");
    if (what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) what.erase(0, bracket + 2);
    throw std::runtime_error("trace: not valid JSON: " + what);
  }
  std::string prefix;
  const json& events = events_of(root, prefix);

  std::vector<Pending> pending;
  std::map<ThreadKey, int> named;                  // thread_name "rank N"
  std::set<ThreadKey> ours;                        // threads with events of our export (cat "spstudio")
  std::map<ThreadKey, std::vector<Pending>> open;  // "B" events waiting for their "E"
  std::int64_t last_ns = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string where = prefix + "[" + std::to_string(i) + "]";
    const json& event = events[i];
    if (!event.is_object()) fail(where, "expected an object");
    const auto ph = event.find("ph");
    if (ph == event.end() || !ph->is_string()) fail(where + ".ph", "expected a string");
    const std::string phase = ph->get<std::string>();
    if (phase == "M") {
      const auto name = event.find("name");
      if (name != event.end() && *name == "thread_name") {
        const ThreadKey thread{thread_part(event, "pid", where), thread_part(event, "tid", where)};
        if (const std::optional<int> rank = rank_of_thread_name(event)) named[thread] = *rank;
      }
      continue;
    }
    if (phase != "X" && phase != "B" && phase != "E") continue;
    const std::int64_t ts = microseconds_to_ns(event, "ts", where);
    last_ns = std::max(last_ns, ts);
    if (phase == "E") {
      const ThreadKey thread{thread_part(event, "pid", where), thread_part(event, "tid", where)};
      std::vector<Pending>& stack = open[thread];
      if (stack.empty())
        fail(where, "an \"E\" event with no open \"B\" event on its thread (tid " + thread.second.dump() + ")");
      Pending p = std::move(stack.back());
      stack.pop_back();
      if (ts < p.range.begin_ns) fail(where + ".ts", "before the begin of its \"B\" event");
      p.range.end_ns = ts;
      pending.push_back(std::move(p));
      continue;
    }
    Pending p = pending_of(event, i, where);
    p.range.begin_ns = ts;
    const auto cat = event.find("cat");
    if (cat != event.end() && *cat == "spstudio") ours.insert(p.thread);
    if (phase == "B") {
      open[p.thread].push_back(std::move(p));
      continue;
    }
    const std::int64_t dur = microseconds_to_ns(event, "dur", where);
    if (dur < 0) fail(where + ".dur", "negative duration");
    p.range.end_ns = ts + dur;
    last_ns = std::max(last_ns, p.range.end_ns);
    pending.push_back(std::move(p));
  }
  for (auto& [thread, stack] : open) {
    for (Pending& b : stack) {
      b.range.end_ns = std::max(last_ns, b.range.begin_ns);
      pending.push_back(std::move(b));
    }
  }

  const std::map<ThreadKey, int> ranks = assign_ranks(pending, named, ours);
  std::sort(pending.begin(), pending.end(), [&](const Pending& a, const Pending& b) {
    const NamedRange& x = a.range;
    const NamedRange& y = b.range;
    return std::make_tuple(ranks.at(a.thread), x.stream, x.begin_ns, -x.end_ns, a.index) <
           std::make_tuple(ranks.at(b.thread), y.stream, y.begin_ns, -y.end_ns, b.index);
  });
  std::vector<NamedRange> out;
  out.reserve(pending.size());
  for (Pending& p : pending) {
    p.range.rank = ranks.at(p.thread);
    out.push_back(std::move(p.range));
  }
  rebuild_depths(out);
  return out;
}

std::string read_trace_file(const std::filesystem::path& path) {
  const std::string where = "cannot read '" + path.string() + "': ";
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw std::runtime_error(where + "it is a folder");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(where + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error(where + "read error");
  return text.str();
}

}  // namespace spstudio::profiling
