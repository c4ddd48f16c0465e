// SPDX-License-Identifier: Apache-2.0
// The bench statistics and report: spread, time shares averaged over ranks, configuration lists,
// the table's alignment and the JSON's fields.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/bench_report.h"
#include "support/error_text.h"

namespace spstudio::cli {
namespace {

using testing::error_of;

TEST(BenchReport, SpreadHasMedianQuartilesAndRange) {
  const Spread s = spread_of({5, 1, 4, 2, 3});
  EXPECT_EQ(s.median, 3);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 5);
  EXPECT_EQ(s.p25, 2);
  EXPECT_EQ(s.p75, 4);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(spread_of({1, 2}).median, 1.5);
  EXPECT_EQ(spread_of({}).count, 0u);
}

TEST(BenchReport, SharesArePerRankThenAveraged) {
  // Rank 0: two steps of 10 ms, 5 in attention → 50 %. Rank 1: one step of 100 ms, 10 in
  // attention, 30 all-to-all → 10 %, 30 %. Averaged over ranks (not over time): 30 %, 15 %.
  std::vector<profiling::StepBreakdown> steps = {
      {0, 1, 0, 1, 10, 5, 0, 0, 5}, {0, 1, 0, 2, 10, 5, 0, 0, 5}, {1, 1, 0, 1, 100, 10, 30, 0, 60}};
  const TimeShares shares = time_shares(steps);
  EXPECT_DOUBLE_EQ(shares.attention, 0.3);
  EXPECT_DOUBLE_EQ(shares.all_to_all, 0.15);
  EXPECT_DOUBLE_EQ(shares.ring_p2p, 0);
  EXPECT_DOUBLE_EQ(shares.other, 0.55);
}

TEST(BenchReport, ConfigsParseAndBadOnesAreNamed) {
  const auto configs = parse_configs("1x1,2x1,1x2,2x2");
  ASSERT_EQ(configs.size(), 4u);
  EXPECT_EQ(configs[2].ulysses_degree, 1);
  EXPECT_EQ(configs[2].ring_degree, 2);
  EXPECT_CONTAINS(error_of([] { parse_configs("1x1,2y1"); }), "\"2y1\"");
  EXPECT_CONTAINS(error_of([] { parse_configs("0x1"); }), "\"0x1\"");
  EXPECT_CONTAINS(error_of([] { parse_configs("2x"); }), "\"2x\"");
  EXPECT_CONTAINS(error_of([] { parse_configs("2x1x1"); }), "\"2x1x1\"");
}

ConfigResult example(int u, int r) {
  ConfigResult c;
  c.degrees = {u, r};
  c.world = u * r;
  c.images = 2;
  c.step_ms = spread_of({100.0 / c.world, 110.0 / c.world});
  c.images_per_s = 0.5 * c.world;
  c.shares = {0.4, 0.1, 0.05, 0.45};
  c.peak_memory_bytes.assign(static_cast<std::size_t>(c.world), 300ull << 20);
  return c;
}

TEST(BenchReport, TableColumnsAlign) {
  const std::string table = bench_table({example(1, 1), example(2, 2)});
  std::istringstream lines(table);
  std::string header, row1, row2;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  EXPECT_EQ(header.find("images/s"), row1.find("0.500"));
  EXPECT_EQ(header.find("images/s"), row2.find("2.000"));
  EXPECT_EQ(row2.rfind("2x2", 0), 0u);
  EXPECT_CONTAINS(row2, "300/300/300/300");
  EXPECT_CONTAINS(row1, "40.0%");
}

TEST(BenchReport, JsonHasEveryConfig) {
  const auto json =
      nlohmann::json::parse(bench_json({example(1, 1), example(2, 1)}, "builtin:tiny-flux", 64, 64, 2, 1, 2));
  EXPECT_EQ(json["format"], "spstudio-bench/1");
  ASSERT_EQ(json["configs"].size(), 2u);
  EXPECT_EQ(json["configs"][1]["config"], "2x1");
  EXPECT_EQ(json["configs"][1]["peak_memory_bytes"].size(), 2u);
  EXPECT_DOUBLE_EQ(json["configs"][0]["time_share"]["attention"].get<double>(), 0.4);
}

}  // namespace
}  // namespace spstudio::cli
