// SPDX-License-Identifier: Apache-2.0
// spworker's lifecycle as one real process (label multiprocess): handshake and Ready, Bye, a
// rejected token, a vanished supervisor, --describe and typed exit codes.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "common/manifest.h"
#include "common/plan_json.h"
#include "support/error_text.h"
#include "worker_driver.h"

namespace spstudio::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int code(wire::ExitCode c) {
  return static_cast<int>(c);
}

TEST(SpWorkerLifecycle, HandshakeReadyAndByeExitsZero) {
  WorkerDriver driver;
  const pid_t pid = driver.spawn_pool(1, {"--heartbeat-ms", "50"}).at(0);
  std::vector<WorkerLink> links = driver.accept_pool(1);
  const wire::Hello& hello = links[0].hello;
  EXPECT_EQ(hello.token, "test-token");
  EXPECT_EQ(hello.rank, 0u);
  EXPECT_EQ(hello.world, 1u);
  EXPECT_EQ(hello.pid, static_cast<std::uint32_t>(pid));
  EXPECT_EQ(hello.device, "cpu");
  EXPECT_GT(hello.memory_bytes, 0u);

  std::vector<Received> received;
  driver.collect(links, received, [](const auto& r) { return !messages_of<wire::Ready>(r).empty(); });
  const wire::Ready ready = messages_of<wire::Ready>(received).at(0);
  EXPECT_EQ(ready.backend, "local");
  EXPECT_EQ(ready.device, "cpu");
  EXPECT_EQ(ready.world, 1u);

  driver.send(links[0], wire::Bye{0, "shutting down"});
  driver.collect(links, received, [](const auto& r) { return !messages_of<wire::Bye>(r).empty(); });
  EXPECT_EQ(messages_of<wire::Bye>(received).at(0).rank, 0u);
  const ProcessExit exit = driver.wait_exit(pid, 5s);
  EXPECT_TRUE(exit.exited && exit.code == 0) << exit.describe() << "\n" << driver.log(0);
}

TEST(SpWorkerLifecycle, HeartbeatsArrive) {
  WorkerDriver driver;
  driver.spawn_pool(1, {"--heartbeat-ms", "20"});
  std::vector<WorkerLink> links;
  driver.start_pool(1, links);
  // collect() drops heartbeats, so read the decoder's raw stream for a while.
  int heartbeats = 0;
  const auto deadline = Clock::now() + 2s;
  std::uint8_t buffer[4096];
  while (heartbeats < 3 && Clock::now() < deadline) {
    const ssize_t n = ::recv(links[0].fd, buffer, sizeof buffer, 0);
    ASSERT_GT(n, 0);
    links[0].decoder.feed(buffer, static_cast<std::size_t>(n));
    while (auto m = links[0].decoder.next())
      heartbeats += std::holds_alternative<wire::Heartbeat>(*m);
  }
  EXPECT_GE(heartbeats, 3);
}

TEST(SpWorkerLifecycle, RejectedTokenExitsWithProtocolError) {
  WorkerDriver driver;
  const pid_t pid = driver.spawn({"--socket", driver.socket_path(), "--rank", "0", "--world", "1", "--store-port",
                                  std::to_string(free_port()), "--threads", "1"},
                                 "not-the-token");
  WorkerLink link = driver.accept();
  EXPECT_EQ(link.hello.token, "not-the-token");
  driver.send(link, wire::Reject{"wrong session token"});
  driver.close(link);
  const ProcessExit exit = driver.wait_exit(pid, 10s);
  EXPECT_TRUE(exit.exited) << exit.describe();
  EXPECT_EQ(exit.code, code(wire::ExitCode::ProtocolError)) << driver.log(0);
  EXPECT_CONTAINS(driver.log(0), "spworker rank 0: the supervisor rejected this worker: wrong session token");
}

TEST(SpWorkerLifecycle, SupervisorGoneExitsQuickly) {
  WorkerDriver driver;
  const pid_t pid = driver.spawn_pool(1).at(0);
  std::vector<WorkerLink> links;
  driver.start_pool(1, links);
  const auto closed = Clock::now();
  driver.close(links[0]);
  const ProcessExit exit = driver.wait_exit(pid, 5s);
  const auto seconds = std::chrono::duration<double>(Clock::now() - closed).count();
  EXPECT_TRUE(exit.exited) << exit.describe();
  EXPECT_EQ(exit.code, code(wire::ExitCode::SupervisorLost)) << driver.log(0);
  EXPECT_LT(seconds, 2.0);
  EXPECT_CONTAINS(driver.log(0), "lost the supervisor");
}

TEST(SpWorkerLifecycle, RendezvousTimeoutIsCommunicatorInit) {
  WorkerDriver driver;
  const std::string port = std::to_string(free_port());
  // Rank 0 of two, and rank 1 never comes.
  const pid_t pid = driver.spawn({"--socket", driver.socket_path(), "--rank", "0", "--world", "2", "--store-port", port,
                                  "--threads", "1", "--rendezvous-timeout-ms", "300"});
  std::vector<WorkerLink> links = driver.accept_pool(1);
  std::vector<Received> received;
  driver.collect(links, received, [](const auto& r) { return !messages_of<wire::Error>(r).empty(); });
  const wire::Error error = messages_of<wire::Error>(received).at(0);
  EXPECT_EQ(error.code, wire::ExitCode::CommunicatorInit);
  EXPECT_CONTAINS(error.message, "rank 0 could not serve the rendezvous store at 127.0.0.1:" + port);
  EXPECT_TRUE(messages_of<wire::Ready>(received).empty());
  const ProcessExit exit = driver.wait_exit(pid, 10s);
  EXPECT_EQ(exit.code, code(wire::ExitCode::CommunicatorInit)) << exit.describe() << "\n" << driver.log(0);
  EXPECT_CONTAINS(driver.log(0), "spworker rank 0: rank 0 could not serve the rendezvous store");
}

TEST(SpWorkerLifecycle, MissingTokenIsBadArguments) {
  std::string out, error;
  const ProcessExit exit = WorkerDriver::run_to_end(
      {"--socket", "/nonexistent/spworker.sock", "--rank", "0", "--world", "1", "--store-port", "1"}, out, error);
  // run_to_end sets no token: the worker says so before it tries the socket.
  EXPECT_EQ(exit.code, code(wire::ExitCode::BadArguments)) << error;
  EXPECT_CONTAINS(error, "SPSTUDIO_SESSION_TOKEN");
}

TEST(SpWorkerLifecycle, DescribePrintsAManifest) {
  std::string out, error;
  const ProcessExit exit = WorkerDriver::run_to_end({"--describe", "--height", "64", "--width", "48"}, out, error);
  ASSERT_TRUE(exit.exited && exit.code == 0) << exit.describe() << "\n" << error;
  const ModelManifest manifest = manifest_from_json(out);
  EXPECT_EQ(manifest.model, "FluxTransformer2DModel");
  ASSERT_TRUE(manifest.resolution.has_value());
  EXPECT_EQ(*manifest.resolution, std::make_pair(64, 48));
  EXPECT_FALSE(manifest.root.children.empty());
}

// The GUI tests read tests/data/tiny-flux-256.manifest.json instead of running a worker; this
// keeps that file what spworker prints today (regenerate it with the command in the message).
TEST(SpWorkerLifecycle, DescribeMatchesTheCommittedTinyFluxManifest) {
  std::string out, error;
  const ProcessExit exit = WorkerDriver::run_to_end({"--describe", "--height", "256", "--width", "256"}, out, error);
  ASSERT_TRUE(exit.exited && exit.code == 0) << exit.describe() << "\n" << error;
  std::ifstream in(SPSTUDIO_TESTS_DATA_DIR "/tiny-flux-256.manifest.json");
  ASSERT_TRUE(in) << "cannot read " SPSTUDIO_TESTS_DATA_DIR "/tiny-flux-256.manifest.json";
  const std::string fixture{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(nlohmann::json::parse(out), nlohmann::json::parse(fixture))
      << "regenerate: spworker --describe --model builtin:tiny-flux --height 256 --width 256 > "
         "tests/data/tiny-flux-256.manifest.json";
  const ModelManifest manifest = manifest_from_json(out);
  EXPECT_EQ(plan_from_json(manifest.shipped_plan), load_plan_file(SPSTUDIO_PLANS_DIR "/flux.json"));
}

TEST(SpWorkerLifecycle, TypedExitCodes) {
  std::string out, error;
  ProcessExit exit = WorkerDriver::run_to_end({"--describe", "--model", "/no/such/model"}, out, error);
  EXPECT_EQ(exit.code, code(wire::ExitCode::ModelLoad)) << error;
  EXPECT_CONTAINS(error, "/no/such/model");
  exit = WorkerDriver::run_to_end({"--describe", "--height", "50"}, out, error);
  EXPECT_EQ(exit.code, code(wire::ExitCode::BadArguments)) << error;
  exit = WorkerDriver::run_to_end({"--rank", "zero"}, out, error);
  EXPECT_EQ(exit.code, code(wire::ExitCode::BadArguments)) << error;
  EXPECT_CONTAINS(error, "--rank expects an integer, got 'zero'");
}

}  // namespace
}  // namespace spstudio::testing
