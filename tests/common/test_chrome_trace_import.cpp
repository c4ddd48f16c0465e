// SPDX-License-Identifier: Apache-2.0
// Chrome trace import: our own export comes back (up to the shift of the origin), generic traces
// with "X" events and "B"/"E" pairs, ranks from thread names or thread order, nesting depth per
// (rank, stream), and errors that name the event and the field.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "common/profiling/chrome_trace_import.h"
#include "common/profiling/timeline.h"
#include "error_text.h"

namespace spstudio::profiling {
namespace {

using spstudio::testing::error_of;

NamedRange range(int rank, const char* name, std::int64_t begin_ns, std::int64_t end_ns, int depth, int step = 1,
                 int stream = 0) {
  NamedRange r;
  r.rank = rank;
  r.name = name;
  r.begin_ns = begin_ns;
  r.end_ns = end_ns;
  r.depth = depth;
  r.stream = stream;
  r.job_id = 9;
  r.image_index = 1;
  r.step = step;
  return r;
}

auto key(const NamedRange& r) {
  return std::make_tuple(r.rank, r.stream, r.begin_ns, -r.end_ns, r.depth, r.name, r.job_id, r.image_index, r.step);
}

std::vector<NamedRange> sorted(std::vector<NamedRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const NamedRange& a, const NamedRange& b) { return key(a) < key(b); });
  return ranges;
}

TEST(ChromeTraceImport, OurExportComesBackShiftedToZero) {
  const std::int64_t t0 = 5'000'000'123;  // a host steady-clock time, not a multiple of 1 µs
  std::vector<NamedRange> original = {
      range(0, "step", t0, t0 + 2'000'000, 0),
      range(0, "attention", t0 + 100, t0 + 1'500'000, 1),
      range(0, "all_to_all", t0 + 100, t0 + 921, 2),  // 821 ns, starts with its parent
      range(0, "attention_kernel", t0 + 921, t0 + 1'400'000, 2),
      range(0, "gather", t0 + 1'500'000, t0 + 1'500'000, 1),  // zero length
      range(1, "step", t0 + 7, t0 + 2'100'000, 0, 2),
      range(1, "ring_p2p", t0 + 50, t0 + 800'000, 0, 2, 1),  // stream 1: its own nesting
      range(3, "vae_decode", t0 + 3'000'000, t0 + 4'000'000, 0, -1),
  };
  original[7].job_id = 18'000'000'000'000'000'000u;  // beyond int64: job ids are unsigned
  const std::vector<NamedRange> imported = ranges_from_chrome_trace(chrome_trace_json(original));
  ASSERT_EQ(imported.size(), original.size());
  std::vector<NamedRange> expected = original;
  for (NamedRange& r : expected) {
    r.begin_ns -= t0;
    r.end_ns -= t0;
  }
  expected = sorted(expected);
  const std::vector<NamedRange> got = sorted(imported);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(got[i].rank, expected[i].rank);
    EXPECT_EQ(got[i].name, expected[i].name);
    EXPECT_EQ(got[i].begin_ns, expected[i].begin_ns);
    EXPECT_EQ(got[i].end_ns, expected[i].end_ns);
    EXPECT_EQ(got[i].depth, expected[i].depth);
    EXPECT_EQ(got[i].stream, expected[i].stream);
    EXPECT_EQ(got[i].job_id, expected[i].job_id);
    EXPECT_EQ(got[i].image_index, expected[i].image_index);
    EXPECT_EQ(got[i].step, expected[i].step);
  }
}

TEST(ChromeTraceImport, ThreadNamesGiveRanks) {
  // tid 7 is named "rank 2"; the unnamed thread of our export (cat spstudio, tid 2) is rank 1.
  const std::string trace = R"({"traceEvents": [
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 7, "args": {"name": "rank 2"}},
    {"ph": "X", "name": "step", "pid": 1, "tid": 7, "ts": 10, "dur": 5, "cat": "spstudio"},
    {"ph": "X", "name": "step", "pid": 1, "tid": 2, "ts": 11, "dur": 5, "cat": "spstudio"}
  ]})";
  const std::vector<NamedRange> ranges = ranges_from_chrome_trace(trace);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].rank, 1);  // sorted by rank
  EXPECT_EQ(ranges[0].begin_ns, 11'000);
  EXPECT_EQ(ranges[1].rank, 2);
  EXPECT_EQ(ranges[1].begin_ns, 10'000);
  EXPECT_EQ(ranges[1].end_ns, 15'000);
}

TEST(ChromeTraceImport, OnlyExactRankNamesGiveRanks) {
  // "rank 3 (gpu)", "rank " and "rank 1234567" name no rank: those threads get the free ranks 0,
  // 1, 2 in tid order, after "rank 3" took 3.
  const std::string trace = R"json({"traceEvents": [
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 10, "args": {"name": "rank 3 (gpu)"}},
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 11, "args": {"name": "rank "}},
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 12, "args": {"name": "rank 1234567"}},
    {"ph": "M", "name": "thread_name", "pid": 1, "tid": 13, "args": {"name": "rank 3"}},
    {"ph": "X", "name": "a", "pid": 1, "tid": 10, "ts": 0, "dur": 1},
    {"ph": "X", "name": "b", "pid": 1, "tid": 11, "ts": 0, "dur": 1},
    {"ph": "X", "name": "c", "pid": 1, "tid": 12, "ts": 0, "dur": 1},
    {"ph": "X", "name": "d", "pid": 1, "tid": 13, "ts": 0, "dur": 1}
  ]})json";
  std::map<std::string, int> rank_of;
  for (const NamedRange& r : ranges_from_chrome_trace(trace))
    rank_of[r.name] = r.rank;
  EXPECT_EQ(rank_of, (std::map<std::string, int>{{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}}));
}

TEST(ChromeTraceImport, GenericCompleteEventsInAnArray) {
  // Threads 300 and 100 of pid 4, thread 5 of pid 9: ranks in (pid, tid) order; the instant and
  // counter events are skipped; fractional µs become ns.
  const std::string trace = R"([
    {"ph": "X", "name": "conv", "pid": 4, "tid": 300, "ts": 1.5, "dur": 2.25},
    {"ph": "i", "name": "mark", "pid": 4, "tid": 300, "ts": 2},
    {"ph": "C", "name": "memory", "pid": 4, "ts": 2, "args": {"bytes": 10}},
    {"ph": "X", "name": "matmul", "pid": 4, "tid": 100, "ts": 0, "dur": 1},
    {"ph": "X", "name": "copy", "pid": 9, "tid": 5, "ts": 3, "dur": 0}
  ])";
  const std::vector<NamedRange> ranges = ranges_from_chrome_trace(trace);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].name, "matmul");
  EXPECT_EQ(ranges[0].rank, 0);
  EXPECT_EQ(ranges[1].name, "conv");
  EXPECT_EQ(ranges[1].rank, 1);
  EXPECT_EQ(ranges[1].begin_ns, 1'500);
  EXPECT_EQ(ranges[1].end_ns, 3'750);
  EXPECT_EQ(ranges[2].name, "copy");
  EXPECT_EQ(ranges[2].rank, 2);
  EXPECT_EQ(ranges[2].begin_ns, ranges[2].end_ns);
  for (const NamedRange& r : ranges) {
    EXPECT_EQ(r.step, 0);
    EXPECT_EQ(r.stream, 0);
    EXPECT_EQ(r.job_id, 0u);
  }
}

TEST(ChromeTraceImport, BeginEndPairsNest) {
  // outer [0, 10] µs holds inner [1, 3]; "open" never ends: it ends at the last time, 12 µs.
  const std::string trace = R"({"traceEvents": [
    {"ph": "B", "name": "outer", "tid": 1, "ts": 0, "args": {"step": 4, "job": 2, "image": 1}},
    {"ph": "B", "name": "inner", "tid": 1, "ts": 1},
    {"ph": "E", "tid": 1, "ts": 3},
    {"ph": "E", "tid": 1, "ts": 10},
    {"ph": "B", "name": "open", "tid": 1, "ts": 11},
    {"ph": "X", "name": "late", "tid": 2, "ts": 11, "dur": 1}
  ]})";
  const std::vector<NamedRange> ranges = ranges_from_chrome_trace(trace);
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_EQ(ranges[0].name, "outer");
  EXPECT_EQ(ranges[0].begin_ns, 0);
  EXPECT_EQ(ranges[0].end_ns, 10'000);
  EXPECT_EQ(ranges[0].depth, 0);
  EXPECT_EQ(ranges[0].step, 4);
  EXPECT_EQ(ranges[0].job_id, 2u);
  EXPECT_EQ(ranges[0].image_index, 1);
  EXPECT_EQ(ranges[1].name, "inner");
  EXPECT_EQ(ranges[1].begin_ns, 1'000);
  EXPECT_EQ(ranges[1].end_ns, 3'000);
  EXPECT_EQ(ranges[1].depth, 1);
  EXPECT_EQ(ranges[2].name, "open");
  EXPECT_EQ(ranges[2].begin_ns, 11'000);
  EXPECT_EQ(ranges[2].end_ns, 12'000);
  EXPECT_EQ(ranges[2].depth, 0);
  EXPECT_EQ(ranges[3].name, "late");
  EXPECT_EQ(ranges[3].rank, 1);
}

TEST(ChromeTraceImport, DepthIsRebuiltPerRankAndStream) {
  // Rank 0 stream 0: a [0,10] ⊃ b [0,5], c [5,10] (adjacent siblings), c ⊃ d [6,7]; e [12,13] after.
  // Stream 1 of rank 0 and rank 1 overlap a but start their own nesting at depth 0.
  const std::string trace = R"([
    {"ph": "X", "name": "d", "tid": 1, "ts": 6, "dur": 1},
    {"ph": "X", "name": "c", "tid": 1, "ts": 5, "dur": 5},
    {"ph": "X", "name": "b", "tid": 1, "ts": 0, "dur": 5},
    {"ph": "X", "name": "a", "tid": 1, "ts": 0, "dur": 10},
    {"ph": "X", "name": "e", "tid": 1, "ts": 12, "dur": 1},
    {"ph": "X", "name": "s", "tid": 1, "ts": 2, "dur": 1, "args": {"stream": 1}},
    {"ph": "X", "name": "r", "tid": 2, "ts": 2, "dur": 1}
  ])";
  std::map<std::string, int> depth;
  for (const NamedRange& r : ranges_from_chrome_trace(trace))
    depth[r.name] = r.depth;
  const std::map<std::string, int> expected = {{"a", 0}, {"b", 1}, {"c", 1}, {"d", 2}, {"e", 0}, {"s", 0}, {"r", 0}};
  EXPECT_EQ(depth, expected);
}

TEST(ChromeTraceImport, BadInputIsNamedByEventAndField) {
  const auto error = [](const std::string& json) { return error_of([&] { ranges_from_chrome_trace(json); }); };
  const std::string ok = R"({"ph": "X", "name": "a", "tid": 1, "ts": 0, "dur": 1})";
  EXPECT_EQ(error(R"({"traceEvents": [)" + ok + "," + ok + R"(, {"ph": "X", "name": "a", "ts": 1, "dur": "2"}]})"),
            "trace: traceEvents[2].dur: expected a number");
  EXPECT_EQ(error(R"([{"ph": "X", "name": "a", "ts": "0", "dur": 1}])"), "trace: [0].ts: expected a number");
  EXPECT_EQ(error(R"([{"ph": "X", "ts": 0, "dur": 1}])"), "trace: [0].name: expected a string");
  EXPECT_EQ(error(R"([{"ph": "X", "name": "a", "ts": 0, "dur": -1}])"), "trace: [0].dur: negative duration");
  EXPECT_EQ(error(R"([{"ph": "X", "name": "a", "ts": 0, "dur": 1, "args": {"step": "3"}}])"),
            "trace: [0].args.step: expected an integer");
  EXPECT_EQ(error(R"([{"ph": "X", "name": "a", "ts": 0, "dur": 1, "args": {"job": -3}}])"),
            "trace: [0].args.job: expected an unsigned integer");
  EXPECT_EQ(error(R"([{"ph": "X", "name": "a", "ts": 0, "dur": 1, "tid": [1]}])"),
            "trace: [0].tid: expected a number or a string");
  EXPECT_EQ(error(R"([)" + ok + R"(, 7])"), "trace: [1]: expected an object");
  EXPECT_EQ(error(R"([{"name": "a"}])"), "trace: [0].ph: expected a string");
  EXPECT_EQ(error(R"({"traceEvents": 3})"), "trace: traceEvents: expected an array");
  EXPECT_EQ(error(R"({"events": []})"), "trace: no traceEvents in the JSON object");
  EXPECT_EQ(error("42"), "trace: expected a JSON array of events or an object with traceEvents");
  EXPECT_CONTAINS(error(R"([{"ph": "E", "tid": 1, "ts": 3}])"), "trace: [0]: an \"E\" event with no open \"B\"");
  EXPECT_EQ(error(R"([{"ph": "B", "name": "a", "ts": 5}, {"ph": "E", "ts": 4}])"),
            "trace: [1].ts: before the begin of its \"B\" event");
  EXPECT_CONTAINS(error(R"({"traceEvents": [)"), "trace: not valid JSON: ");
  EXPECT_EQ(error(R"([{"ph": "X", "name": "a", "ts": 1e300, "dur": 1}])"), "trace: [0].ts: out of range");
}

TEST(ChromeTraceImport, EmptyTracesHaveNoRanges) {
  EXPECT_TRUE(ranges_from_chrome_trace("[]").empty());
  EXPECT_TRUE(ranges_from_chrome_trace(chrome_trace_json({})).empty());
}

TEST(ChromeTraceImport, UnreadableFilesAreNamed) {
  const std::string missing = ::testing::TempDir() + "/no-such-trace.json";
  EXPECT_EQ(error_of([&] { read_trace_file(missing); }), "cannot read '" + missing + "': No such file or directory");
  EXPECT_EQ(error_of([&] { read_trace_file(::testing::TempDir()); }),
            "cannot read '" + ::testing::TempDir() + "': it is a folder");
}

}  // namespace
}  // namespace spstudio::profiling
