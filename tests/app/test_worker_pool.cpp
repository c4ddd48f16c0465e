// SPDX-License-Identifier: Apache-2.0
// WorkerPool against fake workers: the pool's processes are /bin/sh stand-ins (sleeping, exiting,
// killing themselves) and the test's own sockets play the workers on the wire.
#include <gtest/gtest.h>
#include <signal.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <random>

#include "app/session/socket_dir.h"
#include "common/wire/recording.h"
#include "pool_test_support.h"
#include "support/error_text.h"

namespace spstudio::app {
namespace {

using namespace testing;
using namespace std::chrono_literals;

/// A pool of sleeping stand-ins, still Starting, waiting for fake workers.
struct StartingPool : ::testing::Test {
  WorkerPool pool;
  PoolEvents events{pool};

  void start(int world, PoolOptions options = {}) {
    if (options.worker_program.isEmpty()) options = shell_pool_options(world);
    options.world = world;
    pool.start(options);
    ASSERT_EQ(pool.state(), PoolState::Starting)
        << (events.failures.empty() ? "" : events.failures[0].message.toStdString());
  }
  /// Handshake + Ready for every rank.
  std::vector<std::unique_ptr<FakeWorker>> connect_all() {
    std::vector<std::unique_ptr<FakeWorker>> fakes;
    const int world = pool.options().world;
    for (int rank = 0; rank < world; ++rank) {
      fakes.push_back(std::make_unique<FakeWorker>(pool.socket_path()));
      EXPECT_TRUE(fakes.back()->handshake(pool.token(), rank, world)) << fakes.back()->reject_reason();
      fakes.back()->send(
          wire::Ready{static_cast<std::uint32_t>(rank), static_cast<std::uint32_t>(world), "local", "cpu", 1});
    }
    EXPECT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready; }));
    return fakes;
  }
  void TearDown() override { pool.stop(50ms); }  // the stand-ins ignore Bye: do not wait long
  std::string failure_text() const {
    return events.failures.empty() ? "(no failure)" : events.failures.front().message.toStdString();
  }
};

TEST_F(StartingPool, StartsOneProcessPerRankWithThePrivateSocketAndTheTokenInTheEnvironment) {
  start(2);
  EXPECT_TRUE(is_owner_only_directory(QFileInfo(pool.socket_path()).absolutePath()));
  EXPECT_TRUE(QFileInfo::exists(pool.socket_path()));
  EXPECT_EQ(pool.token().size(), 32);
  const auto workers = pool.workers();
  ASSERT_EQ(workers.size(), 2);
  for (const WorkerInfo& w : workers) {
    ASSERT_GT(w.pid, 0);
    EXPECT_TRUE(process_exists(w.pid));
    // The token must not be on the command line (readable by other users), only in the environment.
    QFile cmdline(QString("/proc/%1/cmdline").arg(w.pid)), environ(QString("/proc/%1/environ").arg(w.pid));
    ASSERT_TRUE(cmdline.open(QIODevice::ReadOnly));
    ASSERT_TRUE(environ.open(QIODevice::ReadOnly));
    const QByteArray args = cmdline.readAll(), env = environ.readAll();
    EXPECT_FALSE(args.contains(pool.token().toLatin1()));
    EXPECT_TRUE(args.contains(QByteArray("--rank\0", 7) + QByteArray::number(w.rank) + '\0')) << args.toStdString();
    EXPECT_TRUE(args.contains(pool.socket_path().toLocal8Bit()));
    EXPECT_TRUE(env.contains("SPSTUDIO_SESSION_TOKEN=" + pool.token().toLatin1()));
    EXPECT_TRUE(env.contains("OMP_NUM_THREADS=1"));
  }
}

TEST_F(StartingPool, WelcomesEveryRankAndBecomesReadyWhenAllAreReady) {
  start(2);
  auto fakes = connect_all();
  EXPECT_EQ(events.ready, 1);
  const auto workers = pool.workers();
  for (const WorkerInfo& w : workers) {
    EXPECT_TRUE(w.connected && w.ready);
    EXPECT_EQ(w.device.toStdString(), "cpu");
  }
  EXPECT_EQ(fakes[0]->received_of<wire::Welcome>().at(0).protocol_version, wire::kProtocolVersion);
  wire::Job job;
  job.job_id = 7;
  ASSERT_TRUE(pool.send_to_all(job));
  EXPECT_TRUE(wait_for(
      [&] { return !fakes[0]->received_of<wire::Job>().empty() && !fakes[1]->received_of<wire::Job>().empty(); }));
  EXPECT_EQ(fakes[1]->received_of<wire::Job>().at(0).job_id, 7u);
  // Ready is forwarded; the handshake is not.
  ASSERT_EQ(events.messages.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<wire::Ready>(events.messages[0]));
}

TEST_F(StartingPool, RejectsAWrongTokenWithAReasonAndKeepsRunning) {
  start(1);
  FakeWorker stranger(pool.socket_path());
  stranger.send_hello("00000000000000000000000000000000", 0, 1);
  ASSERT_TRUE(wait_for([&] { return stranger.closed(); }));
  EXPECT_CONTAINS(stranger.reject_reason(), "wrong session token");
  ASSERT_EQ(events.rejections.size(), 1);
  EXPECT_CONTAINS(events.rejections[0].toStdString(), "token");
  EXPECT_EQ(pool.state(), PoolState::Starting);
  EXPECT_TRUE(events.failures.empty());
  // The rank is still free for the real worker.
  FakeWorker worker(pool.socket_path());
  EXPECT_TRUE(worker.handshake(pool.token(), 0, 1)) << worker.reject_reason();
}

TEST_F(StartingPool, RejectsAnotherProtocolVersionNamingBothVersions) {
  start(1);
  FakeWorker old_worker(pool.socket_path());
  old_worker.send_hello(pool.token().toStdString(), 0, 1, wire::kProtocolVersion + 41);
  ASSERT_TRUE(wait_for([&] { return old_worker.closed(); }));
  const std::string reason = old_worker.reject_reason();
  EXPECT_CONTAINS(reason, "version " + std::to_string(wire::kProtocolVersion + 41));
  EXPECT_CONTAINS(reason, "supervisor speaks version " + std::to_string(wire::kProtocolVersion));
  EXPECT_EQ(pool.state(), PoolState::Starting);
}

TEST_F(StartingPool, RejectsBadMagic) {
  start(1);
  FakeWorker http(pool.socket_path());
  const std::string request = "GET / HTTP/1.1\r\n\r\n";
  http.send_bytes({request.begin(), request.end()});
  ASSERT_TRUE(wait_for([&] { return http.closed(); }));
  EXPECT_CONTAINS(http.reject_reason(), "not an SP Studio worker");
  EXPECT_EQ(pool.state(), PoolState::Starting);
}

TEST_F(StartingPool, RejectsDuplicateRanksAndRanksOutOfRange) {
  start(2);
  FakeWorker first(pool.socket_path()), second(pool.socket_path()), third(pool.socket_path());
  ASSERT_TRUE(first.handshake(pool.token(), 0, 2));
  EXPECT_FALSE(second.handshake(pool.token(), 0, 2));
  EXPECT_CONTAINS(second.reject_reason(), "rank 0 is already connected");
  EXPECT_FALSE(third.handshake(pool.token(), 5, 2));
  EXPECT_CONTAINS(third.reject_reason(), "rank 5 is out of range");
  EXPECT_EQ(pool.state(), PoolState::Starting);
}

TEST_F(StartingPool, RandomBytesAndHugeFramesAreRefusedAndRealWorkersStillGetIn) {
  PoolOptions options = shell_pool_options(2);
  options.handshake_timeout = 300ms;
  start(2, options);
  for (unsigned seed = 1; seed <= 6; ++seed) {
    std::mt19937 random(seed);
    std::vector<std::uint8_t> garbage(1 + random() % 4096);
    for (auto& b : garbage)
      b = static_cast<std::uint8_t>(random());
    FakeWorker client(pool.socket_path());
    client.send_bytes(garbage);
    EXPECT_TRUE(wait_for([&] { return client.closed(); }, 2s)) << "seed " << seed;
  }
  {  // A valid preamble, then a frame that claims 4 GiB.
    FakeWorker client(pool.socket_path());
    std::vector<std::uint8_t> bytes = wire::encode_preamble();
    for (std::uint8_t b : {0xff, 0xff, 0xff, 0xff, 0x01, 0x00})
      bytes.push_back(b);
    client.send_bytes(bytes);
    ASSERT_TRUE(wait_for([&] { return client.closed(); }, 2s));
    EXPECT_FALSE(client.reject_reason().empty());
  }
  EXPECT_EQ(events.rejections.size(), 7);
  EXPECT_TRUE(events.failures.empty()) << failure_text();
  EXPECT_EQ(pool.state(), PoolState::Starting);
  auto fakes = connect_all();
  EXPECT_EQ(pool.state(), PoolState::Ready);
}

TEST_F(StartingPool, DropsAClientThatSaysNothingAfterTheHandshakeTimeout) {
  PoolOptions options = shell_pool_options(1);
  options.handshake_timeout = 300ms;
  start(1, options);
  FakeWorker silent(pool.socket_path());
  QElapsedTimer clock;
  clock.start();
  ASSERT_TRUE(wait_for([&] { return silent.closed(); }, 3s));
  EXPECT_GE(clock.elapsed(), 250);
  ASSERT_EQ(events.rejections.size(), 1);
  EXPECT_CONTAINS(events.rejections[0].toStdString(), "no handshake within 0.3 s");
  EXPECT_EQ(pool.state(), PoolState::Starting);
}

TEST_F(StartingPool, ASilentWorkerFailsThePoolNamingItsRank) {
  PoolOptions options = shell_pool_options(1);
  options.heartbeat_timeout = 1s;
  start(1, options);
  const qint64 pid = pool.workers().at(0).pid;
  FakeWorker worker(pool.socket_path());
  QElapsedTimer clock;
  clock.start();
  ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
  ASSERT_TRUE(wait_for([&] { return !events.failures.empty(); }, 4s));
  EXPECT_GE(clock.elapsed(), 1000);
  EXPECT_LT(clock.elapsed(), 2500);
  const WorkerFailure& failure = events.failures.front();
  EXPECT_EQ(failure.rank, 0);
  EXPECT_CONTAINS(failure.message.toStdString(),
                  QString("rank 0 (pid %1) stopped answering (no heartbeat for 1 s)").arg(pid).toStdString());
  EXPECT_EQ(pool.state(), PoolState::Failed);
  EXPECT_FALSE(process_exists(pid));
  EXPECT_TRUE(wait_for([&] { return worker.closed(); }));
}

TEST_F(StartingPool, HeartbeatsKeepAWorkerAlive) {
  PoolOptions options = shell_pool_options(1);
  options.heartbeat_timeout = 500ms;
  start(1, options);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
  for (int i = 0; i < 10; ++i) {
    worker.send(wire::Heartbeat{0, i});
    run_for(150ms);
  }
  EXPECT_TRUE(events.failures.empty()) << failure_text();
  EXPECT_EQ(pool.state(), PoolState::Starting);
}

TEST_F(StartingPool, AWorkerThatBreaksTheProtocolFailsThePool) {
  start(1);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
  worker.send_bytes({4, 0, 0, 0, 0xe7, 0x03, 1, 2, 3, 4});  // type 999
  ASSERT_TRUE(wait_for([&] { return !events.failures.empty(); }));
  EXPECT_EQ(events.failures.front().rank, 0);
  EXPECT_CONTAINS(failure_text(), "rank 0 (pid");
  EXPECT_CONTAINS(failure_text(), "broke the protocol");
}

TEST_F(StartingPool, AMessageNamingAnotherRankIsAProtocolError) {
  start(2);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 1, 2));
  worker.send(wire::StepDone{1, 0, 0});
  ASSERT_TRUE(wait_for([&] { return !events.failures.empty(); }));
  EXPECT_EQ(events.failures.front().rank, 1);
  EXPECT_CONTAINS(failure_text(), "it sent a StepDone that names rank 0");
}

TEST_F(StartingPool, AWorkerThatHangsUpWhileItsProcessLivesFailsThePool) {
  start(1);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
  worker.close();
  ASSERT_TRUE(wait_for([&] { return !events.failures.empty(); }, 4s));
  EXPECT_EQ(events.failures.front().rank, 0);
  EXPECT_CONTAINS(failure_text(), "closed its connection to the supervisor");
}

TEST_F(StartingPool, StartTimeoutSaysWhichRanksAreMissing) {
  PoolOptions options = shell_pool_options(2);
  options.start_timeout = 600ms;
  start(2, options);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 1, 2));
  worker.send(wire::Heartbeat{1, 0});
  ASSERT_TRUE(wait_for([&] { return !events.failures.empty(); }, 3s));
  EXPECT_EQ(events.failures.front().rank, -1);
  EXPECT_CONTAINS(failure_text(),
                  "did not become ready within 0.6 s: rank 0 never connected; rank 1 connected but is not ready");
}

TEST_F(StartingPool, StopSaysByeAndEndsEveryProcess) {
  start(2);
  auto fakes = connect_all();
  const auto workers = pool.workers();
  const QString dir = QFileInfo(pool.socket_path()).absolutePath();
  pool.stop(200ms);
  EXPECT_EQ(pool.state(), PoolState::Stopped);
  EXPECT_EQ(events.stopped, 1);
  for (const WorkerInfo& w : workers)
    EXPECT_FALSE(process_exists(w.pid));
  EXPECT_FALSE(QFileInfo::exists(dir));
  EXPECT_TRUE(events.failures.empty()) << failure_text();
  EXPECT_TRUE(wait_for([&] { return fakes[0]->closed() && fakes[1]->closed(); }));
  EXPECT_EQ(fakes[0]->received_of<wire::Bye>().size(), 1u);
}

TEST_F(StartingPool, RestartAfterAFailureGivesANewSocketAndToken) {
  PoolOptions options = shell_pool_options(1);
  options.heartbeat_timeout = 300ms;
  start(1, options);
  {
    FakeWorker worker(pool.socket_path());
    ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
    ASSERT_TRUE(wait_for([&] { return pool.state() == PoolState::Failed; }));
  }
  const QString old_token = pool.token();
  pool.restart();
  ASSERT_EQ(pool.state(), PoolState::Starting);
  EXPECT_NE(pool.token(), old_token);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
  worker.send(wire::Ready{0, 1, "local", "cpu", 1});
  EXPECT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready; }));
  EXPECT_EQ(events.failures.size(), 1u);
}

TEST_F(StartingPool, RecordsEveryFrameAfterTheHandshake) {
  QTemporaryDir dir;
  PoolOptions options = shell_pool_options(1);
  options.recording_path = dir.filePath("session.spstream");
  start(1, options);
  FakeWorker worker(pool.socket_path());
  ASSERT_TRUE(worker.handshake(pool.token(), 0, 1));
  worker.send(wire::Ready{0, 1, "local", "cpu", 1});
  worker.send(wire::StepDone{3, 0, 0, 1, 4, 12.5});
  worker.send(wire::Heartbeat{0, 99});
  ASSERT_TRUE(wait_for([&] { return events.messages.size() == 3; }));
  pool.stop(100ms);
  const auto recorded = wire::read_recording(options.recording_path.toStdString());
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<wire::Ready>(recorded[0]));
  EXPECT_EQ(std::get<wire::StepDone>(recorded[1]).step_ms, 12.5);
  EXPECT_EQ(std::get<wire::Heartbeat>(recorded[2]).time_ns, 99);
}

// ---- worker processes that end on their own -------------------------------------------------------

struct EndingPool : StartingPool {
  WorkerFailure run_until_failure(const QString& script, int world = 1) {
    pool.start(shell_pool_options(world, script));
    EXPECT_TRUE(wait_for([&] { return !events.failures.empty(); }));
    EXPECT_EQ(events.failures.size(), 1u);
    EXPECT_EQ(pool.state(), PoolState::Failed);
    return events.failures.empty() ? WorkerFailure{} : events.failures.front();
  }
};

TEST_F(EndingPool, AnExitCodeIsDescribedWithTheWorkersLastOutput) {
  const auto failure = run_until_failure("echo loading the model; echo 'no such file: model.safetensors' >&2; exit 8");
  EXPECT_EQ(failure.rank, 0);
  EXPECT_EQ(failure.exit_code, 8);
  const std::string text = failure.message.toStdString();
  EXPECT_CONTAINS(text, "rank 0 (pid ");
  EXPECT_CONTAINS(text, std::string("exited with code 8 (") + wire::describe_exit_code(8) + ")");
  EXPECT_CONTAINS(text, "\n  loading the model\n  no such file: model.safetensors");
}

TEST_F(EndingPool, ASignalIsNamed) {
  const auto failure = run_until_failure("kill -KILL $$");
  EXPECT_EQ(failure.signal, SIGKILL);
  EXPECT_CONTAINS(failure.message.toStdString(), "was killed by signal 9 (SIGKILL)");
}

TEST_F(EndingPool, TheCauseIsReportedNotTheCascade) {
  // Rank 0 exits first as a peer would after losing rank 1 (communicator error); rank 1, killed by
  // a signal 50 ms later, is the cause. $4 is the rank (after --socket PATH --rank).
  const auto failure = run_until_failure(R"(if [ "$4" = 1 ]; then sleep 0.05; kill -KILL $$; else exit 4; fi)", 2);
  EXPECT_EQ(failure.rank, 1);
  EXPECT_CONTAINS(failure.message.toStdString(), "rank 1 (pid");
  EXPECT_CONTAINS(failure.message.toStdString(), "signal 9 (SIGKILL)");
}

TEST_F(EndingPool, AMissingWorkerProgramIsAReadableFailure) {
  PoolOptions options;
  options.worker_program = "/nonexistent/spworker";
  std::vector<WorkerFailure> queued;  // a queued connection needs the registered meta-type
  QObject::connect(
      &pool, &WorkerPool::workerFailed, &pool, [&](const WorkerFailure& f) { queued.push_back(f); },
      Qt::QueuedConnection);
  pool.start(options);
  ASSERT_EQ(events.failures.size(), 1u);
  EXPECT_EQ(events.failures[0].rank, -1);
  ASSERT_TRUE(wait_for([&] { return !queued.empty(); }));
  EXPECT_EQ(queued[0].message, events.failures[0].message);
  EXPECT_CONTAINS(failure_text(), "the worker program /nonexistent/spworker does not exist or is not executable");
  EXPECT_EQ(pool.state(), PoolState::Failed);
}

TEST_F(EndingPool, OtherWorkersAreKilledWhenOneDies) {
  pool.start(shell_pool_options(3, R"(if [ "$4" = 2 ]; then sleep 0.2; exit 3; else read -r line; fi)"));
  const auto workers = pool.workers();
  ASSERT_TRUE(wait_for([&] { return !events.failures.empty(); }));
  EXPECT_EQ(events.failures[0].rank, 2);
  for (const WorkerInfo& w : workers)
    EXPECT_FALSE(process_exists(w.pid)) << "rank " << w.rank;
}

}  // namespace
}  // namespace spstudio::app
