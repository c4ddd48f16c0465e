// SPDX-License-Identifier: Apache-2.0
// The bench statistics and report: spread, time shares averaged over ranks, configuration lists,
// the table's alignment, the JSON's fields and reading it back.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/profiling/bench_results.h"
#include "error_text.h"

namespace spstudio::bench {
namespace {

using testing::error_of;

TEST(BenchResults, SpreadHasMedianQuartilesAndRange) {
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

TEST(BenchResults, SharesArePerRankThenAveraged) {
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

TEST(BenchResults, ConfigsParseAndBadOnesAreNamed) {
  const auto configs = parse_config_list("1x1,2x1,1x2,2x2");
  ASSERT_EQ(configs.size(), 4u);
  EXPECT_EQ(configs[2].ulysses_degree, 1);
  EXPECT_EQ(configs[2].ring_degree, 2);
  EXPECT_CONTAINS(error_of([] { parse_config_list("1x1,2y1"); }), "\"2y1\"");
  EXPECT_CONTAINS(error_of([] { parse_config_list("0x1"); }), "\"0x1\"");
  EXPECT_CONTAINS(error_of([] { parse_config_list("2x"); }), "\"2x\"");
  EXPECT_CONTAINS(error_of([] { parse_config_list("2x1x1"); }), "\"2x1x1\"");
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

TEST(BenchResults, TableColumnsAlign) {
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

TEST(BenchResults, JsonHasEveryConfig) {
  const auto json =
      nlohmann::json::parse(bench_json({"builtin:tiny-flux", 64, 64, 2, 1, 2, {example(1, 1), example(2, 1)}}));
  EXPECT_EQ(json["format"], "spstudio-bench/1");
  ASSERT_EQ(json["configs"].size(), 2u);
  EXPECT_EQ(json["configs"][1]["config"], "2x1");
  EXPECT_EQ(json["configs"][1]["peak_memory_bytes"].size(), 2u);
  EXPECT_DOUBLE_EQ(json["configs"][0]["time_share"]["attention"].get<double>(), 0.4);
}

TEST(BenchResults, JsonReadsBackEveryField) {
  ConfigResult c = example(2, 2);
  c.wall_ms = 4000;
  c.startup_ms = 812.5;
  c.preview_latency_ms = spread_of({1, 2, 4});
  c.devices = {"cuda:0", "cuda:0", "cuda:0", "cuda:0"};
  c.backend = "gloo";
  c.peak_memory_bytes = {1ull << 33, 2, 3, 4};  // above 2^32: no narrowing on the way back
  const BenchRun run{"builtin:tiny-flux", 256, 128, 4, 1, 3, {example(1, 1), c}};
  const BenchRun back = bench_from_json(bench_json(run));
  EXPECT_EQ(back.model, "builtin:tiny-flux");
  EXPECT_EQ(back.height, 256);
  EXPECT_EQ(back.width, 128);
  EXPECT_EQ(back.steps, 4);
  EXPECT_EQ(back.warmup, 1);
  EXPECT_EQ(back.repeat, 3);
  ASSERT_EQ(back.configs.size(), 2u);
  const ConfigResult& r = back.configs[1];
  EXPECT_EQ(r.degrees, (ParallelConfig{2, 2}));
  EXPECT_EQ(r.world, 4);
  EXPECT_EQ(r.images, 2);
  EXPECT_DOUBLE_EQ(r.step_ms.median, 105.0 / 4);
  EXPECT_DOUBLE_EQ(r.step_ms.max, 110.0 / 4);
  EXPECT_EQ(r.step_ms.count, 2u);
  EXPECT_DOUBLE_EQ(r.images_per_s, 2.0);
  EXPECT_DOUBLE_EQ(r.wall_ms, 4000);
  EXPECT_DOUBLE_EQ(r.shares.ring_p2p, 0.05);
  EXPECT_EQ(r.peak_memory_bytes, (std::vector<std::uint64_t>{1ull << 33, 2, 3, 4}));
  EXPECT_DOUBLE_EQ(r.preview_latency_ms.median, 2);
  EXPECT_DOUBLE_EQ(r.startup_ms, 812.5);
  EXPECT_EQ(r.devices, c.devices);
  EXPECT_EQ(r.backend, "gloo");
  EXPECT_EQ(back.configs[0].backend, "");
}

TEST(BenchResults, FilesWithoutABackendStillRead) {  // written before the field existed (issue 7)
  nlohmann::json j = nlohmann::json::parse(bench_json({"m", 64, 64, 2, 1, 2, {example(2, 1)}}));
  j["configs"][0].erase("backend");
  EXPECT_EQ(bench_from_json(j.dump()).configs[0].backend, "");
  j["configs"][0]["backend"] = 7;
  EXPECT_EQ(error_of([&] { bench_from_json(j.dump()); }),
            "bench JSON: configs[0].backend: expected a communicator name");
}

TEST(BenchResults, BrokenJsonIsNamedByField) {
  const std::string good = bench_json({"m", 64, 64, 2, 1, 2, {example(1, 1), example(2, 1)}});
  auto with = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(good);
    edit(j);
    return error_of([&] { bench_from_json(j.dump()); });
  };
  EXPECT_EQ(with([](auto& j) { j["configs"][1]["step_ms"]["median"] = "fast"; }),
            "bench JSON: configs[1].step_ms.median: expected a number");
  EXPECT_EQ(with([](auto& j) { j["configs"][0].erase("ring_degree"); }), "bench JSON: configs[0].ring_degree: missing");
  EXPECT_EQ(with([](auto& j) { j["configs"][1]["peak_memory_bytes"][1] = -5; }),
            "bench JSON: configs[1].peak_memory_bytes[1]: expected a byte count");
  EXPECT_EQ(with([](auto& j) { j["format"] = "spstudio-bench/9"; }),
            "bench JSON: format: expected \"format\": \"spstudio-bench/1\"");
  EXPECT_EQ(with([](auto& j) { j["configs"] = 3; }), "bench JSON: configs: expected a list");
  EXPECT_EQ(with([](auto& j) { j["configs"][0]["ulysses_degree"] = 0; }),
            "bench JSON: configs[0].ulysses_degree: degrees must be at least 1");
  EXPECT_CONTAINS(error_of([] { bench_from_json("{\"format\": "); }), "bench JSON: text: not valid JSON");
}

}  // namespace
}  // namespace spstudio::bench
