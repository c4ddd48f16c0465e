// SPDX-License-Identifier: Apache-2.0
// Profiling ranges from several ranks: names resolved per rank, the per-step breakdown with
// exclusive categories, and the Chrome trace JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace spstudio::profiling
