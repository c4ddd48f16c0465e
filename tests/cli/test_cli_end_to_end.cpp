// SPDX-License-Identifier: Apache-2.0
// spstudio-cli as users run it: real spworker processes for builtin:tiny-flux at 64×64. Generation
// agrees across (U, R) (SP_SEMANTICS.md §6), the files carry what they promise, plans are checked
// before any worker starts, and a worker that dies, hangs or is interrupted ends the command with
// a line naming the rank — and no worker process left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "app/png/png_file.h"
#include "app/png/png_metadata.h"
#include "cli_process.h"
#include "cli_test_paths.h"
#include "common/manifest.h"
#include "common/wire/recording.h"
#include "models/flux/pipeline_folder.h"
#include "models/weights/safetensors.h"
#include "models/weights/safetensors_writer.h"
#include "support/error_text.h"

namespace spstudio::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kCli = SPSTUDIO_CLI_BIN;
const std::string kPlans = SPSTUDIO_PLANS_DIR;

class CliEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("spstudio_cli_e2e_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
    return path(name);
  }

  static std::vector<std::string> generate(std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "generate", "--model", "builtin:tiny-flux", "--prompt", "a red fox", "--height", "64",
        "--width",  "64",      "--steps",           "2",        "--seed",    "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  fs::path dir_;
};

/// The CLI's failure report: exactly one line "spstudio-cli: <reason>", the last on stderr
/// (progress lines may come before it).
void expect_one_error_line(const CliRun& run) {
  const auto at = run.err.find("spstudio-cli: ");
  ASSERT_NE(at, std::string::npos) << run.err;
  EXPECT_TRUE(at == 0 || run.err[at - 1] == '\n') << run.err;
  EXPECT_EQ(run.err.find("spstudio-cli: ", at + 1), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find('\n', at), run.err.size() - 1) << run.err;
}

at::Tensor load_tensor(const std::string& file, const std::string& name) {
  return models::SafetensorsFile(file).load(name, at::kFloat).clone();
}

void expect_close(const at::Tensor& actual, const at::Tensor& reference, const std::string& what) {
  ASSERT_EQ(actual.sizes(), reference.sizes()) << what;
  const double scale = reference.abs().max().item<double>();
  const double difference = (actual - reference).abs().max().item<double>();
  EXPECT_GT(scale, 0) << what;
  EXPECT_LE(difference, 1e-4 * scale) << what << ": max |difference| " << difference << ", max |reference| " << scale;
}

TEST_F(CliEndToEnd, GenerateAgreesAcrossDegreesAndWritesPngLatentsAndTrace) {
  const CliRun single = run_cli(kCli, generate({"--output", path("a.png"), "--latents-out", path("a.safetensors")}));
  ASSERT_EQ(single.exit_code, 0) << single.err;
  EXPECT_NE(single.err.find("step 1/2"), std::string::npos) << single.err;
  EXPECT_NE(single.err.find("step 2/2"), std::string::npos) << single.err;
  // vLLM-Omni's spelling of the degrees, and --quiet.
  const CliRun usp =
      run_cli(kCli, generate({"--ulysses_degree", "2", "--ring_degree", "2", "--quiet", "--output", path("b.png"),
                              "--latents-out", path("b.safetensors"), "--trace-out", path("b.json")}));
  ASSERT_EQ(usp.exit_code, 0) << usp.err;
  EXPECT_EQ(usp.err.find("step "), std::string::npos) << usp.err;
  EXPECT_NE(usp.out.find(path("b.png")), std::string::npos) << usp.out;

  const at::Tensor reference = load_tensor(path("a.safetensors"), "latents");
  EXPECT_EQ(reference.sizes(), (at::IntArrayRef{1, 16, 8, 8}));
  expect_close(load_tensor(path("b.safetensors"), "latents"), reference, "latents U2xR2 vs U1xR1");

  const png::RgbPng image = png::read_png(path("b.png"));
  EXPECT_EQ(image.width, 64u);
  EXPECT_EQ(image.height, 64u);
  const auto parameters = image.text("parameters");
  ASSERT_TRUE(parameters.has_value());
  EXPECT_EQ(parameters->rfind("a red fox\nSteps: 2, ", 0), 0u) << *parameters;
  EXPECT_CONTAINS(*parameters, "Seed: 7");
  EXPECT_CONTAINS(*parameters, "Size: 64x64, Model: builtin:tiny-flux, Ulysses degree: 2, Ring degree: 2");
  const auto chunk = image.text("spstudio");
  ASSERT_TRUE(chunk.has_value());
  const png::GenerationMetadata metadata = png::parse_spstudio_metadata_json(*chunk);
  EXPECT_EQ(metadata.seed, 7u);
  EXPECT_EQ(metadata.world_size, 4);
  EXPECT_EQ(metadata.devices.size(), 4u);
  EXPECT_EQ(metadata.backend, "gloo");  // four CPU ranks
  EXPECT_EQ(metadata.step_ms.size(), 2u);
  EXPECT_GT(metadata.decode_ms, 0);
  // No --plan: the image records the plan the workers applied, the shipped plans/flux.json.
  EXPECT_CONTAINS(metadata.plan_json, "spstudio-plan/1");
  EXPECT_CONTAINS(metadata.plan_json, "proj_out");

  std::ifstream trace_file(path("b.json"));
  const auto trace = nlohmann::json::parse(trace_file);
  std::set<int> tids;
  std::set<std::string> names;
  for (const auto& event : trace["traceEvents"]) {
    if (event["ph"] != "X") continue;
    tids.insert(event["tid"].get<int>());
    names.insert(event["name"].get<std::string>());
  }
  EXPECT_EQ(tids, (std::set<int>{1, 2, 3, 4}));
  EXPECT_TRUE(names.count("step") && names.count("attention")) << trace.dump().substr(0, 400);
}

TEST_F(CliEndToEnd, GenerateRecordsWhatTheWorkersSentForReplay) {
  const CliRun run =
      run_cli(kCli, generate({"--ulysses-degree", "2", "--output", path("r.png"), "--record", path("r.spstream")}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_CONTAINS(run.out, "wrote " + path("r.spstream"));
  const std::vector<wire::Message> recorded = wire::read_recording(path("r.spstream"));
  std::set<std::uint32_t> ready_ranks;
  std::vector<wire::ImageDone> images;
  for (const auto& message : recorded) {
    if (const auto* ready = std::get_if<wire::Ready>(&message)) ready_ranks.insert(ready->rank);
    if (const auto* image = std::get_if<wire::ImageDone>(&message)) images.push_back(*image);
  }
  EXPECT_EQ(ready_ranks, (std::set<std::uint32_t>{0, 1}));
  ASSERT_EQ(images.size(), 2u);  // one per rank; rank 0's carries the picture
  const auto rank0 = images[0].rank == 0 ? images[0] : images[1];
  EXPECT_EQ(rank0.image.width, 64u);
  EXPECT_EQ(rank0.image.rgb.size(), 64u * 64u * 3u);
  EXPECT_EQ(rank0.image.rgb, png::read_png(path("r.png")).rgb);  // what the PNG shows
  // A folder that does not exist is refused before any worker starts.
  const CliRun refused = run_cli(kCli, generate({"--record", path("no/such/folder/r.spstream")}));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_CONTAINS(refused.err, "--record");
  expect_one_error_line(refused);
}

TEST_F(CliEndToEnd, ABrokenPlanIsRefusedBeforeAnyWorkerStarts) {
  // The "worker" leaves a marker when it is started at all.
  const std::string marker = path("worker-started");
  const std::string worker = write("fake-worker.sh", "#!/bin/sh\ntouch '" + marker + "'\nexec sleep 30\n");
  ::chmod(worker.c_str(), 0755);
  const std::string broken = write("broken.json", R"({"format": "spstudio-plan/1", "model": "FluxTransformer2DModel",
      "entries": {"": {"split": {"hidden_states": {"dim": 1}}}, "proj_out": {"gather": [{"dim": "x"}]}}})");
  const CliRun refused = run_cli(kCli, generate({"--plan", broken, "--worker", worker, "--output", path("x.png")}));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_LT(refused.seconds, 2.0);
  EXPECT_CONTAINS(refused.err, "\"proj_out\"");
  expect_one_error_line(refused);
  EXPECT_FALSE(fs::exists(marker)) << "a worker was started for a broken plan";

  // The marker works: with a valid plan the same fake worker is started (and fails the handshake).
  const CliRun started = run_cli(kCli, generate({"--plan", kPlans + "/flux.json", "--worker", worker, "--start-timeout",
                                                 "1", "--output", path("x.png")}));
  EXPECT_NE(started.exit_code, 0);
  EXPECT_TRUE(fs::exists(marker)) << started.err;
}

TEST_F(CliEndToEnd, AnUnusableDegreeIsNamed) {
  const CliRun run = run_cli(kCli, generate({"--ulysses-degree", "3", "--output", path("x.png")}));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_CONTAINS(run.err, "ulysses_degree 3");
  expect_one_error_line(run);
  EXPECT_FALSE(fs::exists(path("x.png")));
}

/// A 2-rank generation long enough to be caught mid-run; returns once step 1 is done.
struct RunningGeneration {
  CliProcess cli;
  pid_t rank1 = 0;
  std::string socket;  ///< this run's socket path: in every one of its workers' command lines

  explicit RunningGeneration(const std::vector<std::string>& args) : cli(kCli, args) {
    EXPECT_TRUE(cli.wait_for_stderr("step 1/", 60s)) << cli.err();
    for (const auto& [pid, cmdline] : child_processes(cli.pid())) {
      if (cmdline.find("--rank 1 ") != std::string::npos) rank1 = pid;
      const auto at = cmdline.find("--socket ");
      if (at != std::string::npos) socket = cmdline.substr(at + 9, cmdline.find(' ', at + 9) - at - 9);
    }
    EXPECT_GT(rank1, 0);
    EXPECT_FALSE(socket.empty());
  }
};

std::vector<std::string> long_generation(std::vector<std::string> extra) {
  std::vector<std::string> args = {
      "generate", "--model", "builtin:tiny-flux", "--prompt", "a slow one",       "--height", "128",
      "--width",  "128",     "--steps",           "200",      "--ulysses-degree", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST_F(CliEndToEnd, AKilledWorkerEndsTheRunNamingItsRank) {
  RunningGeneration g(long_generation({"--output", path("k.png")}));
  ASSERT_GT(g.rank1, 0);
  const auto killed = std::chrono::steady_clock::now();
  ::kill(g.rank1, SIGKILL);
  const CliRun run = g.cli.finish(30s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  EXPECT_NE(run.exit_code, 0);
  EXPECT_LT(seconds, 10.0);
  EXPECT_CONTAINS(run.err, "rank 1");
  EXPECT_CONTAINS(run.err, "SIGKILL");
  expect_one_error_line(run);
  EXPECT_TRUE(processes_with_cmdline(g.socket).empty()) << "a worker of " << g.socket << " is still running";
}

TEST_F(CliEndToEnd, AWorkerThatStopsAnsweringIsDetected) {
  RunningGeneration g(long_generation({"--output", path("s.png"), "--heartbeat-timeout", "2"}));
  ASSERT_GT(g.rank1, 0);
  ::kill(g.rank1, SIGSTOP);
  const CliRun run = g.cli.finish(30s);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_CONTAINS(run.err, "rank 1");
  EXPECT_CONTAINS(run.err, "stopped answering");
  expect_one_error_line(run);
  EXPECT_TRUE(processes_with_cmdline(g.socket).empty()) << "a worker of " << g.socket << " is still running";
}

TEST_F(CliEndToEnd, SigintStopsTheWorkers) {
  RunningGeneration g(long_generation({"--output", path("i.png")}));
  ::kill(g.cli.pid(), SIGINT);
  const CliRun run = g.cli.finish(30s);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_CONTAINS(run.err, "SIGINT");
  EXPECT_TRUE(processes_with_cmdline(g.socket).empty()) << "a worker of " << g.socket << " is still running";
  EXPECT_FALSE(fs::exists(path("i.png")));
}

TEST_F(CliEndToEnd, DescribePrintsTheManifest) {
  const CliRun run = run_cli(kCli, {"describe", "--model", "builtin:tiny-flux", "--height", "64", "--width", "64"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const ModelManifest manifest = manifest_from_json(run.out);
  EXPECT_EQ(manifest.model, "FluxTransformer2DModel");
  ASSERT_TRUE(manifest.resolution.has_value());
  EXPECT_EQ(manifest.resolution->first, 64);
}

TEST_F(CliEndToEnd, ValidatePlanChecksAgainstTheModel) {
  const CliRun ok = run_cli(kCli, {"validate-plan", "--model", "builtin:tiny-flux", "--plan", kPlans + "/flux.json",
                                   "--ulysses-degree", "2", "--ring-degree", "2"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_CONTAINS(ok.out, "valid");

  std::ifstream shipped(kPlans + "/flux.json");
  auto plan = nlohmann::json::parse(shipped);
  plan["entries"]["no_such_module"] = {{"gather", {{{"dim", 1}}}}};
  const std::string unknown = write("unknown.json", plan.dump());
  const CliRun bad = run_cli(kCli, {"validate-plan", "--model", "builtin:tiny-flux", "--plan", unknown,
                                    "--ulysses_degree", "2", "--ring_degree", "2"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_CONTAINS(bad.out, "plan entry \"no_such_module\"");
  EXPECT_CONTAINS(bad.err, "1 error");
  expect_one_error_line(bad);
}

TEST_F(CliEndToEnd, ForwardMatchesTheTransformerAcrossDegrees) {
  auto pipeline = models::flux::load_flux_pipeline(models::flux::kTinyFluxModel);
  auto& transformer = *pipeline.parts().transformer;
  const auto in = models::flux::make_flux_inputs(transformer.config(), 4, 4, 5, 11);  // 16 image tokens
  models::NamedTensors tensors = {{"hidden_states", in.hidden_states},
                                  {"encoder_hidden_states", in.encoder_hidden_states},
                                  {"pooled_projections", in.pooled_projections},
                                  {"timestep", in.timestep},
                                  {"img_ids", in.img_ids},
                                  {"txt_ids", in.txt_ids}};
  if (in.guidance.defined()) tensors.emplace_back("guidance", in.guidance);
  models::save_safetensors(path("in.safetensors"), tensors);
  at::Tensor direct;
  {
    at::NoGradGuard no_grad;
    direct = transformer.forward(in);
  }

  for (const std::string degrees : {"1", "2"}) {
    const std::string out = path("out" + degrees + ".safetensors");
    const CliRun run =
        run_cli(kCli, {"forward", "--model", "builtin:tiny-flux", "--component", "transformer", "--inputs",
                       path("in.safetensors"), "--output", out, "--ulysses-degree", degrees});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_CONTAINS(run.out, "sample");
    expect_close(load_tensor(out, "sample"), direct, "forward at U" + degrees + " vs the transformer called directly");
  }
  expect_close(load_tensor(path("out2.safetensors"), "sample"), load_tensor(path("out1.safetensors"), "sample"),
               "forward U2 vs U1");
}

}  // namespace
}  // namespace spstudio::testing
