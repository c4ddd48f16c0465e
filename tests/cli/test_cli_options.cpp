// SPDX-License-Identifier: Apache-2.0
// spstudio-cli's shared option parsing and plan checks: the vLLM-Omni spellings are aliases, bad
// values are refused naming the option, and a broken plan file is refused naming its entry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/cli/cli_options.h"
#include "app/cli/output_paths.h"
#include "app/cli/plan_check.h"
#include "app/cli/rank_errors.h"
#include "support/error_text.h"

namespace spstudio::cli {
namespace {

using testing::error_of;

CommonOptions parse(const QStringList& arguments, unsigned groups = kModelOption | kDegreeOptions | kSizeOptions |
                                                                    kPlanOption | kPoolOptions | kQuietOption) {
  QCommandLineParser parser;
  add_common_options(parser, groups);
  QStringList all = arguments;
  all.prepend("spstudio-cli test");
  EXPECT_TRUE(parse_command_line(parser, all, "test"));
  return read_common_options(parser, groups);
}

TEST(CliOptions, AcceptsBothSpellingsOfTheDegrees) {
  const auto dashes = parse({"--model", "m", "--ulysses-degree", "2", "--ring-degree", "3"});
  EXPECT_EQ(dashes.degrees.ulysses_degree, 2);
  EXPECT_EQ(dashes.degrees.ring_degree, 3);
  const auto underscores = parse({"--model", "m", "--ulysses_degree", "4", "--ring_degree=2"});
  EXPECT_EQ(underscores.degrees.ulysses_degree, 4);
  EXPECT_EQ(underscores.degrees.ring_degree, 2);
  const auto defaults = parse({"--model", "builtin:tiny-flux"});
  EXPECT_EQ(defaults.degrees.sp_size(), 1);
  EXPECT_EQ(defaults.height, 256);
  EXPECT_EQ(defaults.device, "auto");
  EXPECT_EQ(defaults.dtype, "auto");
  EXPECT_FALSE(defaults.quiet);
}

TEST(CliOptions, RefusesBadValuesNamingTheOption) {
  EXPECT_CONTAINS(error_of([] {
                    parse({"--model", "m", "--ulysses-degree", "0"});
                  }),
                  "--ulysses-degree must be between 1 and 1024, not 0");
  EXPECT_CONTAINS(error_of([] {
                    parse({"--model", "m", "--ring_degree", "two"});
                  }),
                  "--ring-degree must be an integer, not \"two\"");
  EXPECT_CONTAINS(error_of([] { parse({"--model", "m", "--height", "250"}); }), "--height 250 is not a multiple of 16");
  EXPECT_CONTAINS(error_of([] { parse({"--model", "m", "--height", "250"}); }), "use 240 or 256");
  EXPECT_CONTAINS(error_of([] { parse({"--model", "m", "--device", "tpu"}); }), "--device must be cpu, cuda or auto");
  EXPECT_CONTAINS(error_of([] {
                    parse({"--model", "m", "--dtype", "bf16"});
                  }),
                  "--dtype must be float32, bfloat16, float16 or auto, not \"bf16\"");
  EXPECT_CONTAINS(error_of([] { parse({"--ulysses-degree", "2"}); }), "--model is required");
  EXPECT_CONTAINS(error_of([] { parse({"--model", "m", "--bogus"}); }), "bogus");
  EXPECT_CONTAINS(error_of([] { parse({"--model", "m", "stray"}); }), "unexpected argument \"stray\"");
  try {
    parse({"--model", "m", "--ulysses-degree", "-1"});
    FAIL() << "no error";
  } catch (const CliError& e) {
    EXPECT_EQ(e.exit_code(), kUsageExitCode);
  }
}

TEST(CliOptions, ErrorsAreOneLine) {
  EXPECT_EQ(one_line("first\nsecond\n\nthird  \n"), "first; second; third");
  EXPECT_EQ(one_line("does not fit X:\nerror: a\nerror: b"), "does not fit X: error: a; error: b");
  EXPECT_EQ(std::string(CliError("a\nb").what()), "a; b");
}

TEST(CliOptions, PoolOptionsCarryTheTimeoutsAndTheWorker) {
  const auto options = parse({"--model", "m", "--heartbeat-timeout", "2", "--worker", "/x/spworker", "--threads", "3"});
  const auto pool = pool_options(options, 4);
  EXPECT_EQ(pool.world, 4);
  EXPECT_EQ(pool.heartbeat_timeout.count(), 2000);
  EXPECT_EQ(pool.worker_program, "/x/spworker");
  EXPECT_EQ(pool.threads_per_worker, 3);
}

TEST(CliOptions, DtypeGoesToThePoolInEverySpelling) {
  for (const char* dtype : {"auto", "float32", "bfloat16", "float16"}) {
    const auto options = parse({"--model", "m", "--device", "cpu", "--dtype", dtype});
    EXPECT_EQ(options.dtype, dtype);
    EXPECT_EQ(pool_options(options, 2).dtype, dtype);
    EXPECT_EQ(pool_options(options, 2).device, "cpu");
  }
  EXPECT_EQ(pool_options(parse({"--model", "m"}), 1).dtype, "auto");
  // Commands without the pool options (describe) do not take it.
  EXPECT_CONTAINS(error_of([] { parse({"--model", "m", "--dtype", "float32"}, kModelOption); }), "dtype");
}

TEST(CliOptions, RecordGoesToThePoolAndIsCheckedFirst) {
  constexpr unsigned kGroups = kModelOption | kPoolOptions | kRecordOption;
  const std::string folder = std::filesystem::temp_directory_path().string();
  const QString file = QString::fromStdString(folder + "/run.spstream");
  const auto options = parse({"--model", "m", "--record", file}, kGroups);
  EXPECT_EQ(options.record_path, file);
  EXPECT_EQ(pool_options(options, 2).recording_path, file);
  EXPECT_TRUE(pool_options(parse({"--model", "m"}, kGroups), 1).recording_path.isEmpty());
  EXPECT_CONTAINS(error_of([&] {
                    parse({"--model", "m", "--record", "/no/such/folder/run.spstream"}, kGroups);
                  }),
                  "--record /no/such/folder/run.spstream: the folder /no/such/folder does not exist");
  EXPECT_CONTAINS(error_of([&] {
                    parse({"--model", "m", "--record", QString::fromStdString(folder)}, kGroups);
                  }),
                  "is a folder, not a file");
  // Commands without the group do not take it.
  EXPECT_CONTAINS(error_of([&] { parse({"--model", "m", "--record", file}, kModelOption); }), "record");
}

TEST(CliOptions, ATaggedPathGetsTheTagBeforeItsSuffix) {
  EXPECT_EQ(tagged_path("runs/a.spstream", "2x1"), "runs/a-2x1.spstream");
  EXPECT_EQ(tagged_path("/tmp/x.y/run", "1x2"), "/tmp/x.y/run-1x2");
  EXPECT_EQ(tagged_path("run.tar.gz", "2x2"), "run.tar-2x2.gz");
  EXPECT_EQ(tagged_path(".hidden", "1x1"), ".hidden-1x1");
}

TEST(CliOptions, IdenticalRankErrorsAreSaidOnce) {
  EXPECT_EQ(condense_rank_errors("rank 2: bad plan:\nerror: x\nrank 0: bad plan:\nerror: x\nrank 1: other"),
            "ranks 0, 2: bad plan:\nerror: x\nrank 1: other");
  EXPECT_EQ(condense_rank_errors("no ranks here\nat all"), "no ranks here\nat all");
}

TEST(CliOptions, PoolFailuresKeepTheHeadlineAndTheLastError) {
  EXPECT_EQ(
      pool_failure_text("rank 1 (pid 4) exited with code 8\nits last error: no model\nits last output:\n  a\n  b"),
      "rank 1 (pid 4) exited with code 8\nits last error: no model");
  EXPECT_EQ(pool_failure_text("rank 1 (pid 4) crashed\nits last output:\n  loading\n  Segmentation fault\n"),
            "rank 1 (pid 4) crashed\nits last output: Segmentation fault");
  EXPECT_EQ(pool_failure_text("rank 1 (pid 4) was killed by signal 9 (SIGKILL)"),
            "rank 1 (pid 4) was killed by signal 9 (SIGKILL)");
}

class PlanFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("spstudio_cli_plan_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(PlanFileTest, ABrokenEntryIsRefusedWithItsKey) {
  const auto path = write("broken.json", R"({"format": "spstudio-plan/1", "model": "FluxTransformer2DModel",
      "entries": {"": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {"gather": [{"dim": "x"}]}}})");
  const std::string error = error_of([&] { load_checked_plan(path, {2, 1}); });
  EXPECT_CONTAINS(error, "\"proj_out\"");
  EXPECT_CONTAINS(error, path);
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST_F(PlanFileTest, AValidPlanLoadsWithItsCanonicalText) {
  const auto path = write("ok.json", R"({"format": "spstudio-plan/1", "model": "M",
      "entries": {"": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {"gather": [{"dim": 1}]}}})");
  const LoadedPlan plan = load_checked_plan(path, {2, 2});
  EXPECT_EQ(plan.plan.entries.size(), 2u);
  EXPECT_NE(plan.json.find("\"proj_out\""), std::string::npos);
  EXPECT_CONTAINS(error_of([&] { load_checked_plan((dir_ / "none.json").string(), {1, 1}); }), "none.json");
}

}  // namespace
}  // namespace spstudio::cli
