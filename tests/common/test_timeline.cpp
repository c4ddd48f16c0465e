// SPDX-License-Identifier: Apache-2.0
// Profiling ranges from several ranks: names resolved per rank, the per-step breakdown with
// exclusive categories (from the device stream alone when a step has one), and the Chrome trace
// JSON with a row per (rank, stream) that our importer reads back.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/profiling/chrome_trace_import.h"
#include "common/profiling/range_names.h"
#include "common/profiling/timeline.h"
#include "error_text.h"

namespace spstudio::profiling {
namespace {

namespace names = range_names;
using spstudio::testing::error_of;

constexpr std::int64_t kMs = 1000000;  // ns

NamedRange range(int rank, const char* name, double begin_ms, double end_ms, int depth, int step = 1) {
  NamedRange r;
  r.rank = rank;
  r.name = name;
  r.begin_ns = static_cast<std::int64_t>(begin_ms * kMs);
  r.end_ns = static_cast<std::int64_t>(end_ms * kMs);
  r.depth = depth;
  r.job_id = 7;
  r.image_index = 0;
  r.step = step;
  return r;
}

TEST(Timeline, NamesAreResolvedPerRank) {
  RangeNames table;
  table.define({0, 1, names::kStep});
  table.define({1, 1, names::kAllToAll});  // the same id means something else on rank 1
  wire::Ranges r0{3, 1, 0, 2, {{1, 10, 20, 0, 0}}};
  wire::Ranges r1{3, 1, 1, 2, {{1, 12, 15, 1, 2}}};
  const std::vector<NamedRange> a = table.resolve(r0);
  const std::vector<NamedRange> b = table.resolve(r1);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].name, "step");
  EXPECT_EQ(b[0].name, "all_to_all");
  EXPECT_EQ(b[0].rank, 1);
  EXPECT_EQ(b[0].begin_ns, 12);
  EXPECT_EQ(b[0].end_ns, 15);
  EXPECT_EQ(b[0].depth, 1);
  EXPECT_EQ(b[0].stream, 2);
  EXPECT_EQ(b[0].job_id, 3u);
  EXPECT_EQ(b[0].image_index, 1);
  EXPECT_EQ(b[0].step, 2);

  wire::Ranges undefined{3, 1, 2, 2, {{1, 0, 1, 0, 0}}};  // rank 2 never defined id 1
  EXPECT_THROW(table.resolve(undefined), std::runtime_error);
  EXPECT_CONTAINS(error_of([&] { table.resolve(undefined); }),
                  "rank 2 sent a range with name id 1 that it never defined");
  table.clear();
  EXPECT_THROW(table.resolve(r0), std::runtime_error);
}

TEST(Timeline, BreakdownUsesExclusiveCategories) {
  // Rank 0, one 100 ms step: two blocks each with an attention layer around a kernel and an
  // all-to-all; a ring hop with its P2P wait.
  std::vector<NamedRange> ranges = {
      range(0, names::kStep, 0, 100, 0),
      range(0, names::kBlock, 0, 40, 1),
      range(0, names::kAttention, 5, 35, 2),
      range(0, names::kAllToAll, 5, 10, 3),
      range(0, names::kAttentionKernel, 10, 25, 3),
      range(0, names::kAllToAll, 25, 30, 3),
      range(0, names::kBlock, 40, 90, 1),
      range(0, names::kAttention, 40, 80, 2),
      range(0, names::kRingHop, 40, 60, 3),
      range(0, names::kAttentionKernel, 40, 52, 4),
      range(0, names::kRingP2P, 52, 60, 4),
      range(0, names::kRingHop, 60, 80, 3),
      range(0, names::kAttentionKernel, 60, 70, 4),
      range(0, names::kRingP2P, 69, 75, 4),  // overlaps the kernel by 1 ms: counted as kernel
      // Rank 1, same step, 50 ms of which 20 all-to-all; a range outside the step counts nowhere.
      range(1, names::kStep, 0, 50, 0),
      range(1, names::kAllToAll, 10, 30, 1),
      range(1, names::kAllToAll, 45, 60, 1),
      // Rank 0, step 2, no step range: no entry.
      range(0, names::kAttentionKernel, 100, 110, 1, 2),
  };
  const std::vector<StepBreakdown> b = step_breakdowns(ranges);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].rank, 0);
  EXPECT_EQ(b[0].job_id, 7u);
  EXPECT_EQ(b[0].step, 1);
  EXPECT_DOUBLE_EQ(b[0].step_ms, 100);
  EXPECT_DOUBLE_EQ(b[0].attention_ms, 15 + 12 + 10);
  EXPECT_DOUBLE_EQ(b[0].all_to_all_ms, 10);
  EXPECT_DOUBLE_EQ(b[0].ring_p2p_ms, 8 + 5);
  EXPECT_DOUBLE_EQ(b[0].other_ms, 100 - 37 - 10 - 13);
  EXPECT_EQ(b[1].rank, 1);
  EXPECT_DOUBLE_EQ(b[1].step_ms, 50);
  EXPECT_DOUBLE_EQ(b[1].all_to_all_ms, 20 + 5);
  EXPECT_DOUBLE_EQ(b[1].attention_ms, 0);
  EXPECT_DOUBLE_EQ(b[1].other_ms, 25);
}

TEST(Timeline, BreakdownIsSortedAndNeverNegative) {
  std::vector<NamedRange> ranges = {
      range(1, names::kStep, 0, 10, 0, 2),           range(1, names::kStep, 0, 10, 0, 1),
      range(0, names::kStep, 0, 10, 0, 3),           range(0, names::kAttentionKernel, 0, 10, 1, 3),
      range(0, names::kAttentionKernel, 2, 8, 2, 3),  // nested kernels count once
  };
  const std::vector<StepBreakdown> b = step_breakdowns(ranges);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(std::make_pair(b[0].rank, b[0].step), std::make_pair(0, 3));
  EXPECT_EQ(std::make_pair(b[1].rank, b[1].step), std::make_pair(1, 1));
  EXPECT_EQ(std::make_pair(b[2].rank, b[2].step), std::make_pair(1, 2));
  EXPECT_DOUBLE_EQ(b[0].attention_ms, 10);
  EXPECT_DOUBLE_EQ(b[0].other_ms, 0);
}

TEST(Timeline, ChromeTraceHasARowPerRankInMicroseconds) {
  std::vector<NamedRange> ranges = {
      range(1, names::kStep, 2, 12.5, 0),
      range(0, names::kStep, 1, 11, 0),
      range(0, names::kAttentionKernel, 1.5, 3.25, 1),
  };
  ranges[2].begin_ns += 1;  // sub-µs precision survives as a fraction
  const nlohmann::json trace = nlohmann::json::parse(chrome_trace_json(ranges));
  ASSERT_TRUE(trace.contains("traceEvents"));
  std::map<int, std::string> thread_names;
  std::vector<nlohmann::json> complete;
  std::string process;
  for (const nlohmann::json& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") thread_names[e["tid"].get<int>()] = e["args"]["name"];
    if (e["ph"] == "M" && e["name"] == "process_name") process = e["args"]["name"];
    if (e["ph"] == "X") complete.push_back(e);
  }
  EXPECT_EQ(process, "SP Studio");
  EXPECT_EQ(thread_names, (std::map<int, std::string>{{1, "rank 0"}, {2, "rank 1"}}));
  ASSERT_EQ(complete.size(), 3u);
  std::map<std::string, nlohmann::json> by_row;
  for (const nlohmann::json& e : complete) {
    EXPECT_EQ(e["pid"], 1);
    by_row[e["name"].get<std::string>() + "@" + std::to_string(e["tid"].get<int>())] = e;
  }
  const nlohmann::json& step0 = by_row.at("step@1");
  EXPECT_DOUBLE_EQ(step0["ts"].get<double>(), 0);  // the earliest begin is the origin
  EXPECT_DOUBLE_EQ(step0["dur"].get<double>(), 10000);
  EXPECT_EQ(step0["args"]["step"], 1);
  EXPECT_EQ(step0["args"]["job"], 7);
  EXPECT_EQ(step0["args"]["image"], 0);
  EXPECT_DOUBLE_EQ(by_row.at("step@2")["ts"].get<double>(), 1000);
  EXPECT_DOUBLE_EQ(by_row.at("step@2")["dur"].get<double>(), 10500);
  EXPECT_DOUBLE_EQ(by_row.at("attention_kernel@1")["ts"].get<double>(), 500.001);
  EXPECT_DOUBLE_EQ(by_row.at("attention_kernel@1")["dur"].get<double>(), 1750 - 0.001);

  const nlohmann::json empty = nlohmann::json::parse(chrome_trace_json({}));
  EXPECT_EQ(empty["traceEvents"].size(), 1u);  // just the process name
}

NamedRange on_stream(NamedRange r, int stream) {
  r.stream = stream;
  return r;
}

TEST(Timeline, BreakdownOfAGpuStepUsesTheDeviceStreamAlone) {
  std::vector<NamedRange> ranges = {
      // Rank 0: the host only launched (stream 0, 10 ms); the device ran 100 ms (stream 1), of
      // which kernel 50, all-to-all 20, P2P wait 10. A higher stream never adds to it.
      range(0, names::kStep, 0, 10, 0),
      range(0, names::kAttentionKernel, 1, 2, 1),
      range(0, names::kAllToAll, 2, 9, 1),
      on_stream(range(0, names::kStep, 5, 105, 0), 1),
      on_stream(range(0, names::kAttentionKernel, 10, 60, 1), 1),
      on_stream(range(0, names::kAllToAll, 60, 80, 1), 1),
      on_stream(range(0, names::kRingP2P, 80, 90, 1), 1),
      on_stream(range(0, names::kStep, 0, 1000, 0), 2),
      on_stream(range(0, names::kAttentionKernel, 0, 1000, 1), 2),
      // Rank 1: device ranges but no device step range: the host ranges give the breakdown.
      range(1, names::kStep, 0, 40, 0),
      range(1, names::kAttentionKernel, 0, 10, 1),
      on_stream(range(1, names::kAttentionKernel, 0, 30, 1), 1),
      // Rank 2: device ranges only.
      on_stream(range(2, names::kStep, 0, 50, 0), 1),
      on_stream(range(2, names::kAllToAll, 10, 15, 1), 1),
  };
  const std::vector<StepBreakdown> b = step_breakdowns(ranges);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].rank, 0);
  EXPECT_DOUBLE_EQ(b[0].step_ms, 100);
  EXPECT_DOUBLE_EQ(b[0].attention_ms, 50);
  EXPECT_DOUBLE_EQ(b[0].all_to_all_ms, 20);
  EXPECT_DOUBLE_EQ(b[0].ring_p2p_ms, 10);
  EXPECT_DOUBLE_EQ(b[0].other_ms, 20);
  EXPECT_EQ(b[1].rank, 1);
  EXPECT_DOUBLE_EQ(b[1].step_ms, 40);
  EXPECT_DOUBLE_EQ(b[1].attention_ms, 10);
  EXPECT_DOUBLE_EQ(b[1].other_ms, 30);
  EXPECT_EQ(b[2].rank, 2);
  EXPECT_DOUBLE_EQ(b[2].step_ms, 50);
  EXPECT_DOUBLE_EQ(b[2].all_to_all_ms, 5);
  EXPECT_DOUBLE_EQ(b[2].other_ms, 45);
}

TEST(Timeline, ChromeTraceHasARowPerRankAndStreamThatImportsBack) {
  const std::vector<NamedRange> ranges = {
      range(0, names::kStep, 1, 3, 0),
      range(0, names::kAttentionKernel, 1.5, 2, 1),
      on_stream(range(0, names::kStep, 2, 12, 0), 1),
      on_stream(range(0, names::kAttentionKernel, 4, 9, 1), 1),
      on_stream(range(1, names::kAllToAll, 3, 5, 0), 1),
  };
  const nlohmann::json trace = nlohmann::json::parse(chrome_trace_json(ranges));
  std::map<int, std::string> thread_names;
  std::map<int, int> sort_indices;
  std::map<std::string, nlohmann::json> by_row;
  for (const nlohmann::json& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") thread_names[e["tid"].get<int>()] = e["args"]["name"];
    if (e["ph"] == "M" && e["name"] == "thread_sort_index")
      sort_indices[e["tid"].get<int>()] = e["args"]["sort_index"].get<int>();
    if (e["ph"] == "X") by_row[e["name"].get<std::string>() + "@" + std::to_string(e["tid"].get<int>())] = e;
  }
  // tid = (rank + 1) + 1000 · stream, every row named after its rank, device rows under host rows.
  EXPECT_EQ(thread_names, (std::map<int, std::string>{{1, "rank 0"}, {1001, "rank 0"}, {1002, "rank 1"}}));
  EXPECT_EQ(sort_indices, (std::map<int, int>{{1, 0}, {1001, 1}, {1002, 11}}));
  ASSERT_EQ(by_row.size(), 5u);
  EXPECT_FALSE(by_row.at("step@1")["args"].contains("stream"));
  EXPECT_EQ(by_row.at("step@1001")["args"]["stream"], 1);
  EXPECT_DOUBLE_EQ(by_row.at("step@1001")["ts"].get<double>(), 1000);
  EXPECT_DOUBLE_EQ(by_row.at("step@1001")["dur"].get<double>(), 10000);
  EXPECT_EQ(by_row.at("all_to_all@1002")["args"]["stream"], 1);

  // Back through the importer: ranks from the names, streams from the args, depth per stream.
  std::vector<NamedRange> imported = ranges_from_chrome_trace(chrome_trace_json(ranges));
  ASSERT_EQ(imported.size(), ranges.size());
  auto key = [](const NamedRange& r) { return std::make_tuple(r.rank, r.stream, r.begin_ns, r.name); };
  std::sort(imported.begin(), imported.end(),
            [&](const NamedRange& a, const NamedRange& b) { return key(a) < key(b); });
  // Expected, by hand: sorted by (rank, stream, begin), times shifted so the earliest begin (1 ms) is 0.
  const std::vector<std::tuple<int, int, const char*, std::int64_t, std::int64_t, int>> expected = {
      {0, 0, names::kStep, 0, 2 * kMs, 0},           {0, 0, names::kAttentionKernel, kMs / 2, kMs, 1},
      {0, 1, names::kStep, 1 * kMs, 11 * kMs, 0},    {0, 1, names::kAttentionKernel, 3 * kMs, 8 * kMs, 1},
      {1, 1, names::kAllToAll, 2 * kMs, 4 * kMs, 0},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("range " + std::to_string(i));
    const auto& [rank, stream, name, begin_ns, end_ns, depth] = expected[i];
    EXPECT_EQ(imported[i].rank, rank);
    EXPECT_EQ(imported[i].stream, stream);
    EXPECT_EQ(imported[i].name, name);
    EXPECT_EQ(imported[i].begin_ns, begin_ns);
    EXPECT_EQ(imported[i].end_ns, end_ns);
    EXPECT_EQ(imported[i].depth, depth);
    EXPECT_EQ(imported[i].step, 1);
    EXPECT_EQ(imported[i].job_id, 7u);
  }
}

}  // namespace
}  // namespace spstudio::profiling
