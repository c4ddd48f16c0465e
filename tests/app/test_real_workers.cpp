// SPDX-License-Identifier: Apache-2.0
// The supervisor with real spworker processes (builtin:tiny-flux on CPU, Gloo between two ranks):
// a job end to end, a worker killed mid-job, a worker that stops answering, restart, cancel.
#include <gtest/gtest.h>
#include <signal.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "app/session/replay_pool.h"
#include "app/session/session.h"
#include "pool_test_support.h"
#include "support/error_text.h"

namespace spstudio::app {
namespace {

using namespace testing;
using namespace std::chrono_literals;

struct RealWorkers : ::testing::Test {
  WorkerPool pool;
  PoolEvents pool_events{pool};
  Session session{&pool};
  std::vector<JobResult> finished;
  std::vector<wire::StepPreview> previews;
  std::vector<wire::StepDone> steps;
  std::vector<wire::ImageDone> images;
  QStringList output;

  void SetUp() override {
    QObject::connect(&session, &Session::jobFinished, [this](const JobResult& r) { finished.push_back(r); });
    QObject::connect(&session, &Session::stepPreviewReady,
                     [this](const wire::StepPreview& p) { previews.push_back(p); });
    QObject::connect(&session, &Session::stepFinished, [this](const wire::StepDone& s) { steps.push_back(s); });
    QObject::connect(&session, &Session::imageFinished, [this](const wire::ImageDone& i) { images.push_back(i); });
    QObject::connect(&pool, &WorkerPool::workerOutput,
                     [this](int rank, const QString& line) { output << QString("rank %1: %2").arg(rank).arg(line); });
  }
  std::string diagnostics() const {
    std::string text =
        pool_events.failures.empty() ? "" : "failure: " + pool_events.failures[0].message.toStdString() + "\n";
    return text + "worker output:\n" + output.join("\n").toStdString();
  }
  static PoolOptions options(int world) {
    PoolOptions o;
    o.world = world;
    o.device = "cpu";
    o.worker_program = SPSTUDIO_SPWORKER_BIN;
    o.threads_per_worker = 1;
    return o;
  }
  void start_ready(PoolOptions o) {
    pool.start(o);
    ASSERT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready || pool.state() == PoolState::Failed; }, 90s));
    ASSERT_EQ(pool.state(), PoolState::Ready) << diagnostics();
  }
  static wire::Job tiny_job(std::uint32_t steps, std::uint32_t world) {
    wire::Job job;
    job.model = "builtin:tiny-flux";
    job.prompt = "a red cube";
    job.width = job.height = 64;
    job.steps = steps;
    job.seed = 3;
    job.ulysses_degree = world;
    job.ring_degree = 1;
    job.preview_interval = 1;
    return job;
  }
  std::vector<qint64> pids() const {
    std::vector<qint64> result;
    for (const WorkerInfo& w : pool.workers())
      result.push_back(w.pid);
    return result;
  }
  bool all_gone(const std::vector<qint64>& list) const {
    for (qint64 pid : list)
      if (process_exists(pid)) return false;
    return true;
  }
};

TEST_F(RealWorkers, APoolOfTwoRunsATinyFluxJobAndStreamsFromBothRanks) {
  start_ready(options(2));
  for (const WorkerInfo& w : pool.workers()) {
    EXPECT_TRUE(w.ready);
    EXPECT_FALSE(w.device.isEmpty());
  }
  const quint64 id = session.submit(tiny_job(3, 2));
  ASSERT_TRUE(wait_for([&] { return !finished.empty(); }, 120s)) << diagnostics();
  const JobResult& result = finished[0];
  EXPECT_EQ(result.job_id, id);
  ASSERT_EQ(result.status, wire::JobStatus::Ok) << result.error.toStdString() << diagnostics();
  EXPECT_EQ(steps.size(), 3u);
  std::set<std::uint32_t> preview_ranks;
  for (const auto& p : previews)
    preview_ranks.insert(p.rank);
  EXPECT_EQ(preview_ranks, (std::set<std::uint32_t>{0, 1}));
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].image.width, 64u);
  EXPECT_EQ(images[0].image.height, 64u);
  EXPECT_EQ(images[0].image.rgb.size(), 64u * 64u * 3u);
  EXPECT_EQ(result.images.size(), 1);
  EXPECT_EQ(result.rank_summaries.size(), 2);
  EXPECT_FALSE(result.preview_latency_ms.isEmpty());
  for (double latency : result.preview_latency_ms)
    EXPECT_GE(latency, 0.0);
  std::vector<double> latencies(result.preview_latency_ms.begin(), result.preview_latency_ms.end());
  std::sort(latencies.begin(), latencies.end());
  std::cout << "[ timing   ] preview latency (step end → frame received), median of " << latencies.size() << ": "
            << latencies[latencies.size() / 2] << " ms, max " << latencies.back() << " ms\n";
  const auto worker_pids = pids();
  pool.stop();
  EXPECT_EQ(pool.state(), PoolState::Stopped);
  EXPECT_TRUE(all_gone(worker_pids));
  EXPECT_TRUE(pool_events.failures.empty()) << diagnostics();
}

TEST_F(RealWorkers, KillingARankMidJobFailsThePoolNamingItAndRestartRecovers) {
  start_ready(options(2));
  session.submit(tiny_job(200, 2));
  ASSERT_TRUE(wait_for([&] { return steps.size() >= 2 || !finished.empty(); }, 120s)) << diagnostics();
  ASSERT_TRUE(finished.empty()) << diagnostics();
  const auto worker_pids = pids();
  QElapsedTimer clock;
  clock.start();
  ASSERT_EQ(::kill(static_cast<pid_t>(worker_pids[1]), SIGKILL), 0);
  ASSERT_TRUE(wait_for([&] { return !pool_events.failures.empty(); }, 10s)) << diagnostics();
  EXPECT_LT(clock.elapsed(), 10000);
  const WorkerFailure& failure = pool_events.failures[0];
  EXPECT_EQ(failure.rank, 1) << failure.message.toStdString();
  EXPECT_CONTAINS(failure.message.toStdString(), "rank 1 (pid " + std::to_string(worker_pids[1]) + ")");
  EXPECT_CONTAINS(failure.message.toStdString(), "signal 9");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].status, wire::JobStatus::Failed);
  EXPECT_TRUE(all_gone(worker_pids));
  std::cout << "[ timing   ] SIGKILL → workerFailed + all workers gone: " << clock.elapsed() << " ms\n"
            << "[ failure  ] " << failure.message.toStdString() << "\n";

  pool.restart();
  ASSERT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready || pool.state() == PoolState::Failed; }, 90s));
  ASSERT_EQ(pool.state(), PoolState::Ready) << diagnostics();
  session.submit(tiny_job(2, 2));
  ASSERT_TRUE(wait_for([&] { return finished.size() == 2; }, 120s)) << diagnostics();
  EXPECT_EQ(finished[1].status, wire::JobStatus::Ok) << finished[1].error.toStdString();
}

TEST_F(RealWorkers, AStoppedWorkerIsDetectedAndKilled) {
  PoolOptions o = options(2);
  o.heartbeat_timeout = 2s;
  start_ready(o);
  session.submit(tiny_job(200, 2));
  ASSERT_TRUE(wait_for([&] { return !steps.empty() || !finished.empty(); }, 120s)) << diagnostics();
  const auto worker_pids = pids();
  QElapsedTimer clock;
  clock.start();
  ASSERT_EQ(::kill(static_cast<pid_t>(worker_pids[0]), SIGSTOP), 0);
  ASSERT_TRUE(wait_for([&] { return !pool_events.failures.empty(); }, 10s)) << diagnostics();
  EXPECT_GE(clock.elapsed(), 1500);
  const WorkerFailure& failure = pool_events.failures[0];
  EXPECT_EQ(failure.rank, 0) << failure.message.toStdString();
  EXPECT_CONTAINS(failure.message.toStdString(), "stopped answering (no heartbeat for 2 s)");
  std::cout << "[ timing   ] SIGSTOP → workerFailed: " << clock.elapsed() << " ms\n"
            << "[ failure  ] " << failure.message.toStdString() << "\n";
  EXPECT_TRUE(all_gone(worker_pids));
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].status, wire::JobStatus::Failed);
}

TEST_F(RealWorkers, CancelNowEndsTheJobDropsTheQueueAndTheNextJobRuns) {
  start_ready(options(2));
  const quint64 running = session.submit(tiny_job(200, 2));
  const quint64 queued = session.submit(tiny_job(2, 2));
  ASSERT_TRUE(wait_for([&] { return !steps.empty() || !finished.empty(); }, 120s)) << diagnostics();
  session.cancel(wire::CancelMode::Now);
  ASSERT_TRUE(wait_for([&] { return finished.size() == 2; }, 30s)) << diagnostics();
  EXPECT_EQ(finished[0].job_id, queued);
  EXPECT_EQ(finished[0].status, wire::JobStatus::Cancelled);
  EXPECT_EQ(finished[1].job_id, running);
  EXPECT_EQ(finished[1].status, wire::JobStatus::Cancelled) << finished[1].error.toStdString();
  EXPECT_LT(steps.size(), 200u);
  EXPECT_EQ(pool.state(), PoolState::Ready);
  session.submit(tiny_job(2, 2));
  ASSERT_TRUE(wait_for([&] { return finished.size() == 3; }, 120s)) << diagnostics();
  EXPECT_EQ(finished[2].status, wire::JobStatus::Ok) << finished[2].error.toStdString();
}

/// How many previews or steps each rank sent.
template <typename T>
std::map<std::uint32_t, int> per_rank(const std::vector<T>& items) {
  std::map<std::uint32_t, int> counts;
  for (const T& item : items)
    ++counts[item.rank];
  return counts;
}

/// range name → count, per rank.
std::map<std::pair<int, std::string>, int> range_names_of(const JobResult& result) {
  std::map<std::pair<int, std::string>, int> names;
  for (const auto& range : result.ranges)
    ++names[{range.rank, range.name}];
  return names;
}

TEST_F(RealWorkers, ARecordedRunReplaysToTheSameResultWithoutWorkers) {
  QTemporaryDir dir;
  PoolOptions o = options(2);
  o.recording_path = dir.filePath("tiny-flux.spstream");
  start_ready(o);
  wire::Job job = tiny_job(3, 2);
  job.images = 2;
  session.submit(job);
  ASSERT_TRUE(wait_for([&] { return !finished.empty(); }, 120s)) << diagnostics();
  const JobResult live = finished[0];
  ASSERT_EQ(live.status, wire::JobStatus::Ok) << live.error.toStdString() << diagnostics();
  const QVector<WorkerInfo> live_workers = pool.workers();
  pool.stop();  // the recording is complete once the pool has stopped

  ReplayPool replay;
  Session replay_session(&replay);
  std::vector<JobResult> replayed;
  std::vector<wire::StepPreview> replayed_previews;
  QObject::connect(&replay_session, &Session::jobFinished, [&](const JobResult& r) { replayed.push_back(r); });
  QObject::connect(&replay_session, &Session::stepPreviewReady,
                   [&](const wire::StepPreview& p) { replayed_previews.push_back(p); });
  replay.start({o.recording_path, 0});
  ASSERT_TRUE(wait_for([&] { return replay.state() != PoolState::Starting; }));
  ASSERT_EQ(replay.state(), PoolState::Ready);
  ASSERT_EQ(replay.world(), 2);
  EXPECT_EQ(replay.recorded_jobs(), 1);
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(replay.workers()[rank].device, live_workers[rank].device);
    EXPECT_EQ(replay.workers()[rank].backend, live_workers[rank].backend);
    EXPECT_EQ(replay.workers()[rank].backend, "gloo");
  }
  const quint64 id = replay_session.submit(job);
  ASSERT_TRUE(wait_for([&] { return !replayed.empty(); }, 30s));
  const JobResult& again = replayed[0];
  EXPECT_EQ(again.job_id, id);
  ASSERT_EQ(again.status, wire::JobStatus::Ok) << again.error.toStdString();

  ASSERT_EQ(again.images.size(), 2);
  ASSERT_EQ(live.images.size(), 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(again.images[i].image.width, live.images[i].image.width);
    EXPECT_EQ(again.images[i].image.height, live.images[i].image.height);
    EXPECT_EQ(again.images[i].image.rgb, live.images[i].image.rgb) << "image " << i;
    EXPECT_EQ(again.images[i].latents.bytes, live.images[i].latents.bytes) << "image " << i;
    EXPECT_EQ(again.images[i].seed, live.images[i].seed);
  }
  const std::vector<wire::StepDone> live_steps(live.steps.begin(), live.steps.end());
  const std::vector<wire::StepDone> replayed_steps(again.steps.begin(), again.steps.end());
  const std::map<std::uint32_t, int> three_per_image = {{0, 6}, {1, 6}};  // 2 images × 3 steps
  EXPECT_EQ(per_rank(live_steps), three_per_image);
  EXPECT_EQ(per_rank(replayed_steps), three_per_image);
  EXPECT_EQ(per_rank(replayed_previews), per_rank(previews));
  EXPECT_EQ(per_rank(previews).size(), 2u);
  EXPECT_FALSE(live.ranges.empty());
  EXPECT_EQ(range_names_of(again), range_names_of(live));
  EXPECT_EQ(again.rank_summaries, live.rank_summaries);
}

}  // namespace
}  // namespace spstudio::app
