// SPDX-License-Identifier: Apache-2.0
// spworker's command line (workers/SPWORKER.md).
#include <gtest/gtest.h>

#include "support/error_text.h"
#include "worker_args.h"

namespace spstudio::workers {
namespace {

using spstudio::testing::error_of;

std::string parse_error(const std::vector<std::string>& args) {
  return error_of([&] { parse_worker_args(args); });
}

TEST(WorkerArgs, ServeLineWithEveryOption) {
  const WorkerArgs a =
      parse_worker_args({"--socket", "/tmp/s.sock", "--rank", "1", "--world", "4", "--store-port", "29511", "--device",
                         "cpu", "--threads", "3", "--heartbeat-ms", "250", "--rendezvous-timeout-ms=5000",
                         "--collective-timeout-ms", "9000", "--dtype", "bfloat16"});
  EXPECT_EQ(a.mode, WorkerMode::Serve);
  EXPECT_EQ(a.socket_path, "/tmp/s.sock");
  EXPECT_EQ(a.rank, 1);
  EXPECT_EQ(a.world, 4);
  EXPECT_EQ(a.store_port, 29511);
  EXPECT_EQ(a.device, DeviceRequest::Cpu);
  EXPECT_EQ(a.dtype, DtypeRequest::BFloat16);
  EXPECT_EQ(a.threads, 3);
  EXPECT_EQ(a.heartbeat_ms, 250);
  EXPECT_EQ(a.rendezvous_timeout_ms, 5000);
  EXPECT_EQ(a.collective_timeout_ms, 9000);
}

TEST(WorkerArgs, ServeDefaults) {
  const WorkerArgs a = parse_worker_args({"--socket", "s", "--rank", "0", "--world", "1", "--store-port", "1"});
  EXPECT_EQ(a.device, DeviceRequest::Auto);
  EXPECT_EQ(a.dtype, DtypeRequest::Auto);
  EXPECT_EQ(a.threads, 0);
  EXPECT_EQ(a.heartbeat_ms, 1000);
  EXPECT_EQ(a.rendezvous_timeout_ms, 30000);
}

TEST(WorkerArgs, EveryDtypeSpelling) {
  const std::vector<std::string> base = {"--socket", "s", "--rank", "0", "--world", "1", "--store-port", "1"};
  const std::pair<const char*, DtypeRequest> spellings[] = {{"auto", DtypeRequest::Auto},
                                                            {"float32", DtypeRequest::Float32},
                                                            {"bfloat16", DtypeRequest::BFloat16},
                                                            {"float16", DtypeRequest::Float16}};
  for (const auto& [text, dtype] : spellings) {
    std::vector<std::string> args = base;
    args.push_back(std::string("--dtype=") + text);
    EXPECT_EQ(parse_worker_args(args).dtype, dtype) << text;
    EXPECT_STREQ(to_string(dtype), text);
  }
}

TEST(WorkerArgs, DescribeVersionAndHelp) {
  const WorkerArgs d = parse_worker_args({"--describe", "--model", "/models/flux", "--height", "512"});
  EXPECT_EQ(d.mode, WorkerMode::Describe);
  EXPECT_EQ(d.model, "/models/flux");
  EXPECT_EQ(d.height, 512);
  EXPECT_EQ(d.width, 256);
  EXPECT_EQ(parse_worker_args({"--describe"}).model, "builtin:tiny-flux");
  EXPECT_EQ(parse_worker_args({"--version"}).mode, WorkerMode::Version);
  EXPECT_EQ(parse_worker_args({"--help"}).mode, WorkerMode::Help);
}

TEST(WorkerArgs, ErrorsNameTheOptionAndWhatItTakes) {
  const std::vector<std::string> base = {"--socket", "s", "--world", "2", "--store-port", "5"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--frobnicate"})), "unknown argument '--frobnicate'");
  EXPECT_CONTAINS(parse_error(with({"--rank"})), "--rank needs a value");
  EXPECT_CONTAINS(parse_error(with({"--rank", "one"})), "--rank expects an integer, got 'one'");
  EXPECT_CONTAINS(parse_error(with({"--rank", "2"})), "--rank 2 is out of range for --world 2 (ranks are 0 to 1)");
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--device", "tpu"})), "--device expects auto, cpu or cuda");
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--threads", "0"})), "--threads must be between 1 and");
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--dtype", "fp16"})),
                  "--dtype expects auto, float32, bfloat16 or float16, got 'fp16'");
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--dtype"})), "--dtype needs a value");
  EXPECT_CONTAINS(parse_error({"--describe", "--dtype", "float32"}), "--describe does not take --dtype");
  EXPECT_CONTAINS(parse_error({"--rank", "0", "--world", "1", "--store-port", "5"}), "--socket PATH is required");
  EXPECT_CONTAINS(parse_error({"--socket", "s", "--rank", "0", "--world", "1"}), "--store-port P is required");
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--height", "64"})), "--height is only used with --describe");
  EXPECT_CONTAINS(parse_error({"--describe", "--rank", "0"}), "--describe does not take --rank");
  EXPECT_CONTAINS(parse_error({"--version=1"}), "--version takes no value");
  EXPECT_CONTAINS(parse_error(with({"--rank", "0", "--store-port", "70000"})),
                  "--store-port must be between 1 and 65535, got 70000");
}

TEST(WorkerArgs, DefaultThreadsShareTheCores) {
  EXPECT_EQ(default_threads(16, 4), 4);
  EXPECT_EQ(default_threads(16, 3), 5);
  EXPECT_EQ(default_threads(2, 4), 1);  // at least one
  EXPECT_EQ(default_threads(0, 1), 1);  // hardware_concurrency() may say 0
}

}  // namespace
}  // namespace spstudio::workers
