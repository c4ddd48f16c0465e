// SPDX-License-Identifier: Apache-2.0
// Session against fake workers: dispatch one job at a time, fold every rank's stream into the job's
// result, cancel modes, a pool failure mid-job, the queue surviving a restart.
#include <gtest/gtest.h>
#include <signal.h>

#include "app/session/session.h"
#include "common/profiling/range_names.h"
#include "pool_test_support.h"
#include "support/error_text.h"

namespace spstudio::app {
namespace {

using namespace testing;
using namespace std::chrono_literals;

struct SessionEvents {
  explicit SessionEvents(Session& session) {
    QObject::connect(&session, &Session::jobStarted, [this](quint64 id) { started.push_back(id); });
    QObject::connect(&session, &Session::stepPreviewReady,
                     [this](const wire::StepPreview& p) { previews.push_back(p); });
    QObject::connect(&session, &Session::stepFinished, [this](const wire::StepDone& s) { steps.push_back(s); });
    QObject::connect(&session, &Session::rangesReceived, [this](const std::vector<profiling::NamedRange>& r) {
      ranges.insert(ranges.end(), r.begin(), r.end());
    });
    QObject::connect(&session, &Session::imageFinished, [this](const wire::ImageDone& i) { images.push_back(i); });
    QObject::connect(&session, &Session::jobFinished, [this](const JobResult& r) { finished.push_back(r); });
    QObject::connect(&session, &Session::logReceived,
                     [this](int rank, const QString& text) { logs << QString("%1: %2").arg(rank).arg(text); });
  }
  std::vector<quint64> started;
  std::vector<wire::StepPreview> previews;
  std::vector<wire::StepDone> steps;
  std::vector<profiling::NamedRange> ranges;
  std::vector<wire::ImageDone> images;
  std::vector<JobResult> finished;
  QStringList logs;
};

struct SessionTest : ::testing::Test {
  WorkerPool pool;
  PoolEvents pool_events{pool};
  Session session{&pool};
  SessionEvents events{session};
  std::vector<std::unique_ptr<FakeWorker>> fakes;

  void TearDown() override { pool.stop(50ms); }  // the stand-ins ignore Bye: do not wait long

  void start_pool(int world, PoolOptions options = {}) {
    if (options.worker_program.isEmpty()) options = shell_pool_options(world);
    pool.start(options);
    ASSERT_EQ(pool.state(), PoolState::Starting);
    fakes.clear();
    for (int rank = 0; rank < world; ++rank) {
      fakes.push_back(std::make_unique<FakeWorker>(pool.socket_path()));
      ASSERT_TRUE(fakes.back()->handshake(pool.token(), rank, world));
      fakes.back()->send(
          wire::Ready{static_cast<std::uint32_t>(rank), static_cast<std::uint32_t>(world), "local", "cpu", 1});
    }
    ASSERT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready; }));
  }
  /// Waits until every fake has received `count` Jobs; returns rank 0's last one.
  wire::Job wait_for_job(std::size_t count = 1) {
    EXPECT_TRUE(wait_for([&] {
      for (auto& f : fakes)
        if (f->received_of<wire::Job>().size() < count) return false;
      return true;
    }));
    return fakes[0]->received_of<wire::Job>().back();
  }
  /// What a worker of `world` ranks sends for one image of `steps` steps.
  void play_image(FakeWorker& fake, std::uint32_t rank, const wire::Job& job, std::uint32_t steps) {
    fake.send(wire::StringDef{rank, 1, range_names::kStep});
    fake.send(wire::StringDef{rank, 2, range_names::kAttentionKernel});
    for (std::uint32_t step = 1; step <= steps; ++step) {
      const std::int64_t end =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count();
      wire::StepPreview preview;
      preview.job_id = job.job_id;
      preview.rank = rank;
      preview.step = step;
      preview.steps = steps;
      preview.step_end_ns = end;
      preview.tile = {2, 1, {1, 2, 3, 4, 5, 6}};
      fake.send(preview);
      wire::Ranges ranges{job.job_id,
                          0,
                          rank,
                          static_cast<std::int32_t>(step),
                          {{1, end - 1000000, end, 0, 0}, {2, end - 500000, end - 100000, 1, 0}}};
      fake.send(ranges);
      fake.send(wire::StepDone{job.job_id, 0, rank, step, steps, 1.0, 0.5, 0.5, end});
    }
    wire::ImageDone image;
    image.job_id = job.job_id;
    image.rank = rank;
    image.seed = job.seed;
    if (rank == 0) image.image = {job.width, job.height, std::vector<std::uint8_t>(job.width * job.height * 3, 7)};
    fake.send(image);
  }
  void finish_job(const wire::Job& job, wire::JobStatus status = wire::JobStatus::Ok) {
    for (std::size_t rank = 0; rank < fakes.size(); ++rank) {
      fakes[rank]->send(wire::JobDone{job.job_id, static_cast<std::uint32_t>(rank), status, 1,
                                      "{\"rank\": " + std::to_string(rank) + "}"});
    }
  }
  static wire::Job small_job() {
    wire::Job job;
    job.model = "builtin:tiny-flux";
    job.width = job.height = 4;
    job.steps = 3;
    job.seed = 11;
    return job;
  }
};

TEST_F(SessionTest, AJobStreamsFromEveryRankIntoOneResult) {
  start_pool(2);
  const quint64 id = session.submit(small_job());
  EXPECT_EQ(id, 1u);
  const wire::Job sent = wait_for_job();
  EXPECT_EQ(sent.job_id, id);
  EXPECT_EQ(sent.steps, 3u);
  ASSERT_EQ(events.started, std::vector<quint64>{id});
  EXPECT_EQ(session.running().value(), id);
  play_image(*fakes[0], 0, sent, 3);
  play_image(*fakes[1], 1, sent, 3);
  ASSERT_TRUE(
      wait_for([&] { return events.images.size() == 1 && events.steps.size() == 3 && events.previews.size() == 6; }));
  EXPECT_TRUE(events.finished.empty());  // no JobDone yet
  finish_job(sent);
  ASSERT_TRUE(wait_for([&] { return events.finished.size() == 1; }));

  const JobResult& result = events.finished[0];
  EXPECT_EQ(result.job_id, id);
  EXPECT_EQ(result.status, wire::JobStatus::Ok);
  EXPECT_TRUE(result.error.isEmpty());
  ASSERT_EQ(result.images.size(), 1);
  EXPECT_EQ(result.images[0].image.width, 4u);
  EXPECT_EQ(result.steps.size(), 6);  // every rank's
  for (const auto& s : events.steps)
    EXPECT_EQ(s.rank, 0u);  // stepFinished: rank 0's
  ASSERT_EQ(result.ranges.size(), 12u);
  EXPECT_EQ(result.ranges[0].name, "step");
  EXPECT_EQ(result.ranges[1].name, "attention_kernel");
  EXPECT_EQ(result.ranges[1].job_id, id);
  EXPECT_EQ(events.ranges.size(), 12u);
  ASSERT_EQ(result.preview_latency_ms.size(), 6);
  for (double latency : result.preview_latency_ms) {
    EXPECT_GE(latency, 0.0);
    EXPECT_LT(latency, 5000.0);
  }
  ASSERT_EQ(result.rank_summaries.size(), 2);
  EXPECT_EQ(result.rank_summaries[1].toStdString(), "{\"rank\": 1}");
  EXPECT_FALSE(session.running().has_value());
}

TEST_F(SessionTest, JobsRunOneAtATimeInOrder) {
  start_pool(2);
  const quint64 first = session.submit(small_job());
  const quint64 second = session.submit(small_job());
  EXPECT_EQ(session.queued(), 1);
  const wire::Job running = wait_for_job(1);
  run_for(50ms);
  EXPECT_EQ(fakes[0]->received_of<wire::Job>().size(), 1u);  // the second waits for the first
  EXPECT_EQ(running.job_id, first);
  finish_job(running);
  const wire::Job next = wait_for_job(2);
  EXPECT_EQ(next.job_id, second);
  EXPECT_EQ(session.queued(), 0);
  finish_job(next);
  ASSERT_TRUE(wait_for([&] { return events.finished.size() == 2; }));
  EXPECT_EQ(events.finished[0].job_id, first);
  EXPECT_EQ(events.finished[1].job_id, second);
}

TEST_F(SessionTest, ARankThatFailsTheJobFailsItWithItsError) {
  start_pool(2);
  session.submit(small_job());
  const wire::Job job = wait_for_job();
  fakes[1]->send(
      wire::Error{1, job.job_id, wire::ExitCode::PlanInvalid, "plan entry \"blocks.*\": dim 7 out of range"});
  fakes[0]->send(wire::JobDone{job.job_id, 0, wire::JobStatus::Ok, 1, "{}"});
  fakes[1]->send(wire::JobDone{job.job_id, 1, wire::JobStatus::Failed, 0, "{}"});
  ASSERT_TRUE(wait_for([&] { return events.finished.size() == 1; }));
  EXPECT_EQ(events.finished[0].status, wire::JobStatus::Failed);
  EXPECT_CONTAINS(events.finished[0].error.toStdString(), "rank 1: plan entry \"blocks.*\": dim 7 out of range");
  EXPECT_EQ(pool.state(), PoolState::Ready);  // the workers stay up
}

TEST_F(SessionTest, CancelNowStopsTheJobAndDropsTheQueue) {
  start_pool(2);
  const quint64 running = session.submit(small_job());
  const quint64 queued = session.submit(small_job());
  const wire::Job job = wait_for_job();
  session.cancel(wire::CancelMode::Now);
  EXPECT_EQ(session.queued(), 0);
  ASSERT_TRUE(wait_for([&] {
    return !fakes[0]->received_of<wire::Cancel>().empty() && !fakes[1]->received_of<wire::Cancel>().empty();
  }));
  const wire::Cancel cancel = fakes[1]->received_of<wire::Cancel>()[0];
  EXPECT_EQ(cancel.job_id, running);
  EXPECT_EQ(cancel.mode, wire::CancelMode::Now);
  ASSERT_EQ(events.finished.size(), 1u);  // the dropped one, at once
  EXPECT_EQ(events.finished[0].job_id, queued);
  EXPECT_EQ(events.finished[0].status, wire::JobStatus::Cancelled);
  finish_job(job, wire::JobStatus::Cancelled);
  ASSERT_TRUE(wait_for([&] { return events.finished.size() == 2; }));
  EXPECT_EQ(events.finished[1].job_id, running);
  EXPECT_EQ(events.finished[1].status, wire::JobStatus::Cancelled);
  run_for(50ms);
  EXPECT_EQ(fakes[0]->received_of<wire::Job>().size(), 1u);  // the dropped job never went out
  // A new job runs.
  const quint64 fresh = session.submit(small_job());
  EXPECT_EQ(wait_for_job(2).job_id, fresh);
}

TEST_F(SessionTest, CancelAfterImageAndPending) {
  start_pool(1);
  session.submit(small_job());
  session.submit(small_job());
  const wire::Job job = wait_for_job();
  session.cancel(wire::CancelMode::Pending);  // only the queue
  EXPECT_EQ(session.queued(), 0);
  run_for(50ms);
  EXPECT_TRUE(fakes[0]->received_of<wire::Cancel>().empty());
  EXPECT_EQ(session.running().value(), job.job_id);
  session.cancel(wire::CancelMode::AfterImage);
  ASSERT_TRUE(wait_for([&] { return !fakes[0]->received_of<wire::Cancel>().empty(); }));
  EXPECT_EQ(fakes[0]->received_of<wire::Cancel>()[0].mode, wire::CancelMode::AfterImage);
  play_image(*fakes[0], 0, job, 3);
  finish_job(job, wire::JobStatus::Cancelled);
  ASSERT_TRUE(wait_for([&] { return events.finished.size() == 2; }));
  EXPECT_EQ(events.finished[1].status, wire::JobStatus::Cancelled);
  EXPECT_EQ(events.finished[1].images.size(), 1);  // the finished image is kept
}

TEST_F(SessionTest, StoppingThePoolCancelsTheRunningJob) {
  start_pool(1);
  const quint64 id = session.submit(small_job());
  wait_for_job();
  pool.stop(50ms);
  ASSERT_EQ(events.finished.size(), 1u);
  EXPECT_EQ(events.finished[0].job_id, id);
  EXPECT_EQ(events.finished[0].status, wire::JobStatus::Cancelled);
  EXPECT_CONTAINS(events.finished[0].error.toStdString(), "the worker pool was stopped");
  EXPECT_FALSE(session.running().has_value());
}

TEST_F(SessionTest, APoolFailureFailsTheRunningJobKeepsTheQueueAndRestartRunsIt) {
  start_pool(2);
  const quint64 first = session.submit(small_job());
  const quint64 second = session.submit(small_job());
  const wire::Job job = wait_for_job();
  const qint64 pid1 = pool.workers().at(1).pid;
  ASSERT_EQ(::kill(static_cast<pid_t>(pid1), SIGKILL), 0);
  ASSERT_TRUE(wait_for([&] { return events.finished.size() == 1; }));
  EXPECT_EQ(events.finished[0].job_id, first);
  EXPECT_EQ(events.finished[0].status, wire::JobStatus::Failed);
  EXPECT_CONTAINS(events.finished[0].error.toStdString(),
                  "rank 1 (pid " + std::to_string(pid1) + ") was killed by signal 9");
  EXPECT_EQ(pool.state(), PoolState::Failed);
  EXPECT_EQ(session.queued(), 1);

  start_pool(2);  // what restart() does, with fresh fakes
  const wire::Job resumed = wait_for_job();
  EXPECT_EQ(resumed.job_id, second);
  (void)job;
}

}  // namespace
}  // namespace spstudio::app
