// SPDX-License-Identifier: Apache-2.0
// Real OS processes talking over Gloo (ctest label "multiprocess"): each test starts the ranks
// of spstudio_sp_rank through the local launcher and checks every rank's verdict.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "local_launcher.h"
#include "sp_check.h"

namespace spstudio::workers {
namespace {

struct RankRun {
  LaunchResult launch;
  std::vector<std::map<std::string, std::string>> results;  // per rank
};

RankRun run_ranks(int world, std::vector<std::string> args, const std::string& rendezvous_override = {}) {
  RankRun run;
  LaunchOptions options;
  options.environment = single_thread_environment();
  auto rank_args = [&](int rank, const std::string& rendezvous) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--rank", std::to_string(rank), "--world", std::to_string(world), "--rendezvous",
                       rendezvous_override.empty() ? rendezvous : rendezvous_override});
    return a;
  };
  run.launch = launch_local_ranks(SPSTUDIO_SP_RANK_BIN, world, rank_args, options);
  for (const RankExit& r : run.launch.ranks)
    run.results.push_back(parse_result_line(r.output));
  return run;
}

void expect_all_passed(const RankRun& run) {
  ASSERT_TRUE(run.launch.ok()) << run.launch.report();
  for (std::size_t r = 0; r < run.results.size(); ++r) {
    ASSERT_EQ(run.results[r].count("passed"), 1u) << "rank " << r << " printed no RESULT:\n" << run.launch.report();
    EXPECT_EQ(run.results[r].at("passed"), "1") << "rank " << r;
  }
}

TEST(MultiProcess, AllToAllThenInverseIsTheIdentity) {
  for (const int u : {2, 4}) {
    SCOPED_TRACE("U=" + std::to_string(u));
    expect_all_passed(run_ranks(u, {"--case", "a2a", "--ulysses", std::to_string(u)}));
  }
}

TEST(MultiProcess, RingNeighbourExchange) {
  expect_all_passed(run_ranks(4, {"--case", "ring", "--ring", "4"}));
}

TEST(MultiProcess, TcpStoreRendezvous) {
  // Rank 0 serves a TCPStore on a port the kernel just handed out.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  expect_all_passed(run_ranks(2, {"--case", "ring", "--ring", "2"}, "tcp://127.0.0.1:" + std::to_string(port)));
}

TEST(MultiProcess, ManualShardingWithTheValidator) {
  expect_all_passed(run_ranks(4, {"--case", "manual", "--ulysses", "2", "--ring", "2"}));
}

struct DitCase {
  int ulysses, ring;
  std::string grid;
  std::vector<std::string> extra;
  std::string strategy;
};

void PrintTo(const DitCase& c, std::ostream* os) {
  *os << "U" << c.ulysses << "xR" << c.ring << " grid " << c.grid;
  for (const std::string& e : c.extra)
    *os << " " << e;
}

class DitUnderSp : public ::testing::TestWithParam<DitCase> {};

TEST_P(DitUnderSp, EqualsTheSingleProcessOutput) {
  const DitCase& c = GetParam();
  std::vector<std::string> args{
      "--case", "dit", "--ulysses", std::to_string(c.ulysses), "--ring", std::to_string(c.ring), "--grid", c.grid};
  args.insert(args.end(), c.extra.begin(), c.extra.end());
  const RankRun run = run_ranks(c.ulysses * c.ring, args);
  expect_all_passed(run);
  for (const auto& r : run.results) {
    EXPECT_EQ(r.at("strategy"), c.strategy);
    EXPECT_LE(std::stod(r.at("max_abs_diff")), 1e-4 * std::stod(r.at("max_abs_ref")));
  }
  // Rank 0 also compared against an independent float64 run.
  EXPECT_LE(std::stod(run.results[0].at("max_abs_diff_f64")), 1e-4 * std::stod(run.results[0].at("max_abs_ref")));
}

std::string case_name(const ::testing::TestParamInfo<DitCase>& info) {
  std::string name =
      "U" + std::to_string(info.param.ulysses) + "R" + std::to_string(info.param.ring) + "_" + info.param.grid;
  for (const std::string& e : info.param.extra)
    if (e.rfind("--", 0) == 0) name += "_" + e.substr(2);
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

// 8×8 = 64 image tokens divide every size; 5×7 = 35 does not (auto_pad + masking, Ulysses).
// Every case has 6 joint text tokens.
INSTANTIATE_TEST_SUITE_P(Degrees, DitUnderSp,
                         ::testing::Values(DitCase{2, 1, "8x8", {}, "ulysses"}, DitCase{1, 2, "8x8", {}, "ring"},
                                           DitCase{2, 2, "8x8", {}, "usp"}, DitCase{4, 1, "8x8", {}, "ulysses"},
                                           DitCase{1, 4, "8x8", {}, "ring"}, DitCase{2, 1, "5x7", {}, "ulysses"},
                                           DitCase{4, 1, "5x7", {}, "ulysses"},
                                           DitCase{2, 2, "8x8", {"--joint-rope"}, "usp"},
                                           DitCase{1, 2, "8x8", {"--joint-rope"}, "ring"},
                                           DitCase{2, 2, "8x8", {"--kv-heads", "2"}, "usp"}),
                         case_name);

// builtin:tiny-flux under plans/flux.json. 64×64 pixels = 4×4 = 16 image tokens; 48×80 = 3×5 = 15
// tokens do not divide by 2 (auto_pad, Ulysses only). `generate` runs the whole 2-step pipeline
// (T5 + CLIP + transformer + scheduler) and compares the final latents.
struct FluxCase {
  int ulysses, ring;
  std::string size;
  bool generate;
  std::string strategy;
};

void PrintTo(const FluxCase& c, std::ostream* os) {
  *os << "U" << c.ulysses << "xR" << c.ring << " " << c.size << (c.generate ? " generate" : " transformer");
}

class FluxUnderSp : public ::testing::TestWithParam<FluxCase> {};

TEST_P(FluxUnderSp, EqualsTheSingleProcessRun) {
  const FluxCase& c = GetParam();
  std::vector<std::string> args{
      "--case", "flux", "--ulysses", std::to_string(c.ulysses), "--ring", std::to_string(c.ring), "--size", c.size};
  if (c.generate) args.push_back("--generate");
  const RankRun run = run_ranks(c.ulysses * c.ring, args);
  expect_all_passed(run);
  for (const auto& r : run.results) {
    EXPECT_EQ(r.at("strategy"), c.strategy);
    EXPECT_LE(std::stod(r.at("max_abs_diff")), 1e-4 * std::stod(r.at("max_abs_ref")));
  }
  EXPECT_LE(std::stod(run.results[0].at("max_abs_diff_f64")), 1e-4 * std::stod(run.results[0].at("max_abs_ref")));
}

INSTANTIATE_TEST_SUITE_P(
    TinyFlux, FluxUnderSp,
    ::testing::Values(FluxCase{1, 1, "64x64", false, "none"}, FluxCase{2, 1, "64x64", false, "ulysses"},
                      FluxCase{1, 2, "64x64", false, "ring"}, FluxCase{2, 2, "64x64", false, "usp"},
                      FluxCase{2, 1, "48x80", false, "ulysses"}, FluxCase{1, 1, "64x64", true, "none"},
                      FluxCase{2, 1, "64x64", true, "ulysses"}, FluxCase{1, 2, "64x64", true, "ring"},
                      FluxCase{2, 2, "64x64", true, "usp"}, FluxCase{2, 1, "48x80", true, "ulysses"}),
    [](const ::testing::TestParamInfo<FluxCase>& param_info) {
      const FluxCase& c = param_info.param;
      std::string size = c.size;
      size[size.find('x')] = '_';
      return "U" + std::to_string(c.ulysses) + "R" + std::to_string(c.ring) + "_" + size +
             (c.generate ? "_generate" : "_transformer");
    });

}  // namespace
}  // namespace spstudio::workers
