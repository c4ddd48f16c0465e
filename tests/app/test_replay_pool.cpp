// SPDX-License-Identifier: Apache-2.0
// ReplayPool against recordings written here with the real codec (RecordingWriter): the pool comes
// from the recorded Ready/Hello messages, a job replays every recorded message in order under the
// id it was sent with, a Session on it gets the recorded images, steps and ranges, cancels end the
// job the way spworker does, and broken recordings fail the pool naming the file.
#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <map>

#include "app/session/replay_pool.h"
#include "app/session/session.h"
#include "common/profiling/range_names.h"
#include "common/wire/codec.h"
#include "common/wire/recording.h"
#include "pool_test_support.h"
#include "support/error_text.h"

namespace spstudio::app {
namespace {

using namespace testing;
using namespace std::chrono_literals;

std::vector<std::uint8_t> bytes_of(const wire::Message& message) {
  return wire::encode_frame(message);
}

/// The pixels of rank 0's image `index` of a recorded job: different for every image.
wire::RgbImage image_for(std::uint32_t index) {
  wire::RgbImage image{4, 2, std::vector<std::uint8_t>(4 * 2 * 3)};
  for (std::size_t i = 0; i < image.rgb.size(); ++i)
    image.rgb[i] = static_cast<std::uint8_t>(31 + index * 7 + i);
  return image;
}

/// Writes what a pool of `world` workers sends, in the order a supervisor receives it: per step
/// every rank's preview, then every rank's ranges (names defined at their first use), then every
/// rank's StepDone; after the last step the VAE ranges, every rank's ImageDone, every JobDone.
struct RecordingBuilder {
  explicit RecordingBuilder(std::uint32_t world_size) : world(world_size) {}

  std::uint32_t world;
  std::vector<wire::Message> messages;
  std::map<std::pair<std::uint32_t, std::uint32_t>, bool> defined;  // (rank, name id)

  void add(const wire::Message& m) { messages.push_back(m); }

  void pool() {
    for (std::uint32_t rank = 0; rank < world; ++rank) {
      add(wire::Hello{"", rank, world, "cpu", 1000u + rank, 4000u + rank});
      add(wire::Ready{rank, world, "gloo", rank == 0 ? "cpu" : "cpu (rank one)", 1});
    }
    add(wire::Log{0, wire::LogLevel::Info, "model loaded"});
  }

  void define(std::uint32_t rank, std::uint32_t id, const char* name) {
    if (defined[{rank, id}]) return;
    defined[{rank, id}] = true;
    add(wire::StringDef{rank, id, name});
  }

  /// `stop_after`: stop writing after this many StepDone rounds of the job (a cut recording).
  void job(std::uint64_t id, std::uint32_t images, std::uint32_t steps, double step_ms,
           std::uint32_t stop_after = ~0u) {
    std::uint32_t rounds = 0;
    for (std::uint32_t i = 0; i < images; ++i) {
      for (std::uint32_t step = 1; step <= steps; ++step) {
        const std::int64_t end = 1'000'000'000LL * (i + 1) + 1'000'000LL * step;
        for (std::uint32_t rank = 0; rank < world; ++rank) {
          wire::StepPreview preview;
          preview.job_id = id;
          preview.image_index = i;
          preview.rank = rank;
          preview.step = step;
          preview.steps = steps;
          preview.y = rank;
          preview.full_width = 2;
          preview.full_height = world;
          preview.covered_x_end = 2;
          preview.step_end_ns = end;
          preview.tile = {2, 1, {static_cast<std::uint8_t>(step), 2, 3, 4, 5, static_cast<std::uint8_t>(rank)}};
          add(preview);
        }
        for (std::uint32_t rank = 0; rank < world; ++rank) {
          define(rank, 1, range_names::kStep);
          define(rank, 2, range_names::kAttentionKernel);
          add(wire::Ranges{id,
                           i,
                           rank,
                           static_cast<std::int32_t>(step),
                           {{1, end - 2'000'000, end, 0, 0}, {2, end - 1'000'000, end - 500'000, 1, 0}}});
        }
        if (step == 1 && i == 0) add(wire::Heartbeat{world - 1, end});
        for (std::uint32_t rank = 0; rank < world; ++rank)
          add(wire::StepDone{id, i, rank, step, steps, step_ms, 1.0 - step * 0.1, 0.5, end});
        if (++rounds == stop_after) return;
      }
      for (std::uint32_t rank = 0; rank < world; ++rank) {
        define(rank, 3, range_names::kVaeDecode);  // first defined after the first image's steps
        const std::int64_t end = 1'000'000'000LL * (i + 1) + 900'000'000LL;
        add(wire::Ranges{id, i, rank, -1, {{3, end - 5'000'000, end, 0, 0}}});
      }
      for (std::uint32_t rank = 0; rank < world; ++rank) {
        wire::ImageDone done;
        done.job_id = id;
        done.image_index = i;
        done.rank = rank;
        done.seed = 100 + i;
        if (rank == 0) done.image = image_for(i);
        done.summary_json = "{\"image\": " + std::to_string(i) + "}";
        add(done);
      }
    }
    for (std::uint32_t rank = 0; rank < world; ++rank)
      add(wire::JobDone{id, rank, wire::JobStatus::Ok, images, "{\"rank\": " + std::to_string(rank) + "}"});
  }

  void write(const QString& path) const {
    wire::RecordingWriter writer(path.toStdString());
    for (const auto& m : messages)
      writer.write(m);
  }
};

struct SessionLog {
  explicit SessionLog(Session& session) {
    QObject::connect(&session, &Session::jobFinished, [this](const JobResult& r) { finished.push_back(r); });
    QObject::connect(&session, &Session::stepFinished, [this](const wire::StepDone& s) { steps.push_back(s); });
    QObject::connect(&session, &Session::logReceived,
                     [this](int rank, const QString& text) { logs << QString("%1: %2").arg(rank).arg(text); });
  }
  std::vector<JobResult> finished;
  std::vector<wire::StepDone> steps;
  QStringList logs;
};

struct ReplayTest : ::testing::Test {
  QTemporaryDir dir;
  QString path = dir.filePath("run.spstream");
  ReplayPool pool;
  PoolEvents events{pool};

  void start_ready(double speed = 0) {
    pool.start({path, speed});
    ASSERT_TRUE(wait_for([&] { return pool.state() != PoolState::Starting; })) << "still starting";
    ASSERT_EQ(pool.state(), PoolState::Ready)
        << (events.failures.empty() ? "" : events.failures[0].message.toStdString());
  }
  template <typename T>
  std::vector<T> messages_of() const {
    std::vector<T> out;
    for (const auto& m : events.messages)
      if (const T* t = std::get_if<T>(&m)) out.push_back(*t);
    return out;
  }
  static wire::Job job_with_id(std::uint64_t id) {
    wire::Job job;
    job.job_id = id;
    job.model = "builtin:tiny-flux";
    return job;
  }
};

TEST_F(ReplayTest, ThePoolComesFromTheRecordedHelloAndReady) {
  RecordingBuilder recording(2);
  recording.pool();
  recording.job(41, 1, 2, 1.0);
  recording.write(path);

  EXPECT_EQ(pool.state(), PoolState::Stopped);
  pool.start({path, 0});
  EXPECT_EQ(pool.state(), PoolState::Starting);
  EXPECT_FALSE(pool.send_to_all(job_with_id(1)));  // not Ready yet
  ASSERT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready; }));
  EXPECT_EQ(events.ready, 1);
  EXPECT_EQ(events.states, (std::vector<PoolState>{PoolState::Starting, PoolState::Ready}));
  EXPECT_EQ(pool.world(), 2);
  EXPECT_EQ(pool.recorded_jobs(), 1);
  const QVector<WorkerInfo> workers = pool.workers();
  ASSERT_EQ(workers.size(), 2);
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(workers[rank].rank, rank);
    EXPECT_EQ(workers[rank].pid, 0);  // no process behind a recording
    EXPECT_EQ(workers[rank].backend, "gloo");
    EXPECT_EQ(workers[rank].memory_bytes, 1000u + rank);
    EXPECT_TRUE(workers[rank].connected);
    EXPECT_TRUE(workers[rank].ready);
  }
  EXPECT_EQ(workers[0].device, "cpu");
  EXPECT_EQ(workers[1].device, "cpu (rank one)");  // Ready's device over Hello's
  // What came before the first job was forwarded, the Hellos excepted (as WorkerPool does).
  ASSERT_EQ(events.messages.size(), 3u);
  EXPECT_EQ(bytes_of(events.messages[0]), bytes_of(recording.messages[1]));
  EXPECT_EQ(bytes_of(events.messages[1]), bytes_of(recording.messages[3]));
  EXPECT_EQ(bytes_of(events.messages[2]), bytes_of(recording.messages[4]));

  pool.stop();
  EXPECT_EQ(pool.state(), PoolState::Stopped);
  EXPECT_EQ(events.stopped, 1);
  EXPECT_FALSE(pool.workers()[0].ready);
}

TEST_F(ReplayTest, AJobReplaysEveryRecordedMessageInOrderUnderTheIdItWasSentWith) {
  RecordingBuilder recording(2);
  recording.pool();
  const std::size_t preamble = recording.messages.size();
  recording.job(41, 2, 3, 1.0);
  recording.write(path);
  // The same stream as it should come out: written again for job 7.
  RecordingBuilder expected(2);
  expected.pool();
  expected.job(7, 2, 3, 1.0);
  ASSERT_EQ(expected.messages.size(), recording.messages.size());

  start_ready();
  events.messages.clear();
  ASSERT_TRUE(pool.send_to_all(job_with_id(7)));
  const std::size_t count = recording.messages.size() - preamble;
  ASSERT_TRUE(wait_for([&] { return events.messages.size() >= count; }));
  run_for(50ms);
  ASSERT_EQ(events.messages.size(), count);  // nothing more, nothing twice
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(bytes_of(events.messages[i]), bytes_of(expected.messages[preamble + i]))
        << "message " << i << ": a " << wire::type_name(static_cast<std::uint16_t>(wire::type_of(events.messages[i])));
  }
  EXPECT_EQ(pool.state(), PoolState::Ready);
}

TEST_F(ReplayTest, JobsPlayTheRecordedJobsInTurnAndStartOver) {
  RecordingBuilder recording(1);
  recording.pool();
  recording.job(5, 1, 2, 1.0);
  recording.job(9, 1, 4, 1.0);
  recording.write(path);
  start_ready();
  EXPECT_EQ(pool.recorded_jobs(), 2);
  Session session(&pool);
  SessionLog log(session);
  for (int i = 0; i < 3; ++i)
    session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return log.finished.size() == 3; }));
  std::vector<int> steps;
  for (const JobResult& r : log.finished) {
    EXPECT_EQ(r.status, wire::JobStatus::Ok) << r.error.toStdString();
    steps.push_back(r.steps.size());
  }
  EXPECT_EQ(steps, (std::vector<int>{2, 4, 2}));
  EXPECT_TRUE(log.logs.filter("dropped").isEmpty()) << log.logs.join("\n").toStdString();
}

TEST_F(ReplayTest, ASessionOnARecordingGetsItsImagesStepsAndRanges) {
  RecordingBuilder recording(2);
  recording.pool();
  recording.job(41, 2, 3, 1.0);
  recording.write(path);
  start_ready();
  Session session(&pool);
  SessionLog log(session);
  const quint64 id = session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
  const JobResult& result = log.finished[0];
  EXPECT_EQ(result.job_id, id);
  ASSERT_EQ(result.status, wire::JobStatus::Ok) << result.error.toStdString();
  ASSERT_EQ(result.images.size(), 2);
  for (std::uint32_t i = 0; i < 2; ++i) {
    EXPECT_EQ(result.images[i].job_id, id);
    EXPECT_EQ(result.images[i].image_index, i);
    EXPECT_EQ(result.images[i].image.rgb, image_for(i).rgb);
  }
  EXPECT_EQ(result.steps.size(), 2 * 3 * 2);  // images × steps × ranks
  EXPECT_EQ(log.steps.size(), 2u * 3u);       // rank 0's
  // Per rank and image: 3 steps of (step, attention_kernel), then vae_decode.
  ASSERT_EQ(result.ranges.size(), 2u * 2u * (3u * 2u + 1u));
  std::map<std::string, int> names;
  for (const auto& r : result.ranges)
    ++names[r.name];
  EXPECT_EQ(names, (std::map<std::string, int>{{"step", 12}, {"attention_kernel", 12}, {"vae_decode", 4}}));
  ASSERT_EQ(result.rank_summaries.size(), 2);
  EXPECT_EQ(result.rank_summaries[1].toStdString(), "{\"rank\": 1}");
}

TEST_F(ReplayTest, CancelNowEndsAtTheStepBoundaryKeepingTheImagesDone) {
  RecordingBuilder recording(2);
  recording.pool();
  recording.job(41, 3, 3, 1.0);
  recording.write(path);
  start_ready();
  Session session(&pool);
  SessionLog log(session);
  QObject::connect(&session, &Session::stepFinished, [&](const wire::StepDone& step) {
    if (step.image_index == 1 && step.step == 1 && log.finished.empty()) session.cancel(wire::CancelMode::Now);
  });
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
  const JobResult& result = log.finished[0];
  EXPECT_EQ(result.status, wire::JobStatus::Cancelled);
  ASSERT_EQ(result.images.size(), 1);  // image 0, finished before the cancel
  EXPECT_EQ(result.images[0].image.rgb, image_for(0).rgb);
  // Image 0's 3 steps on both ranks, then step 1 of image 1 on both: rank 1 finishes the step rank 0
  // finished when the cancel came.
  EXPECT_EQ(result.steps.size(), 3 * 2 + 2);
  const auto dones = messages_of<wire::JobDone>();
  ASSERT_EQ(dones.size(), 2u);
  for (std::uint32_t rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(dones[rank].rank, rank);
    EXPECT_EQ(dones[rank].job_id, result.job_id);
    EXPECT_EQ(dones[rank].status, wire::JobStatus::Cancelled);
    EXPECT_EQ(dones[rank].images_done, 1u);
    EXPECT_EQ(dones[rank].summary_json, "{\"rank\": " + std::to_string(rank) + "}");  // the recorded one
  }
  EXPECT_EQ(messages_of<wire::ImageDone>().size(), 2u);  // image 0 from both ranks, no more

  // The next job plays the recording from its start again; the names the cancelled job skipped
  // (vae_decode is defined after image 0) still resolve.
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return log.finished.size() == 2; }));
  EXPECT_EQ(log.finished[1].status, wire::JobStatus::Ok) << log.finished[1].error.toStdString();
  EXPECT_EQ(log.finished[1].images.size(), 3);
  EXPECT_TRUE(log.logs.filter("dropped").isEmpty()) << log.logs.join("\n").toStdString();
}

TEST_F(ReplayTest, CancelAfterImageFinishesTheImageInProgress) {
  RecordingBuilder recording(2);
  recording.pool();
  recording.job(41, 3, 3, 1.0);
  recording.write(path);
  start_ready();
  Session session(&pool);
  SessionLog log(session);
  QObject::connect(&session, &Session::stepFinished, [&](const wire::StepDone& step) {
    if (step.image_index == 0 && step.step == 1) session.cancel(wire::CancelMode::AfterImage);
  });
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
  const JobResult& result = log.finished[0];
  EXPECT_EQ(result.status, wire::JobStatus::Cancelled);
  EXPECT_EQ(result.images.size(), 1);
  EXPECT_EQ(result.steps.size(), 3 * 2);  // all of image 0, nothing of image 1
  for (const auto& done : messages_of<wire::JobDone>())
    EXPECT_EQ(done.images_done, 1u);
}

TEST_F(ReplayTest, PlaybackFollowsTheRecordedStepTimesOverTheSpeed) {
  RecordingBuilder recording(1);
  recording.pool();
  recording.job(41, 1, 3, 200.0);  // 600 ms of steps
  recording.write(path);
  for (const double speed : {2.0, 0.0}) {
    start_ready(speed);
    Session session(&pool);
    SessionLog log(session);
    QElapsedTimer clock;
    clock.start();
    session.submit(job_with_id(0));
    ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
    if (speed == 2.0) {
      EXPECT_GE(clock.elapsed(), 270);  // 600 ms / 2, less the 5% a coarse timer may fire early
    } else {
      EXPECT_LT(clock.elapsed(), 270);  // no waiting at all
    }
    pool.stop();
  }
}

TEST_F(ReplayTest, ARecordingThatEndsInsideAJobFailsThePoolThereNamingTheFile) {
  RecordingBuilder recording(2);
  recording.pool();
  recording.job(41, 1, 3, 1.0, /*stop_after=*/2);
  recording.write(path);
  start_ready();
  Session session(&pool);
  SessionLog log(session);
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
  EXPECT_EQ(log.steps.size(), 2u);  // everything up to the end was played
  EXPECT_EQ(pool.state(), PoolState::Failed);
  ASSERT_EQ(events.failures.size(), 1u);
  EXPECT_EQ(events.failures[0].rank, -1);
  const std::string message = events.failures[0].message.toStdString();
  EXPECT_CONTAINS(message, "the recording " + path.toStdString() + " ends inside job 41 (replayed as job 1)");
  EXPECT_CONTAINS(message, "ranks 0, 1 sent no JobDone");
  EXPECT_EQ(log.finished[0].status, wire::JobStatus::Failed);
  EXPECT_CONTAINS(log.finished[0].error.toStdString(), "ends inside job 41");
  EXPECT_FALSE(pool.send_to_all(job_with_id(2)));

  // restart() plays the recording from its start again: the pool's messages, then the job.
  events.messages.clear();
  pool.restart();
  EXPECT_EQ(pool.state(), PoolState::Starting);
  ASSERT_TRUE(wait_for([&] { return pool.state() == PoolState::Ready; }));
  EXPECT_EQ(messages_of<wire::Ready>().size(), 2u);
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return log.finished.size() == 2; }));
  EXPECT_EQ(log.steps.size(), 4u);
  EXPECT_EQ(events.failures.size(), 2u);
}

TEST_F(ReplayTest, AFileCutInsideAFrameKeepsTheFramesBeforeIt) {
  RecordingBuilder recording(1);
  recording.pool();
  recording.job(41, 1, 3, 1.0, /*stop_after=*/1);
  recording.write(path);
  const auto frame = bytes_of(wire::StepDone{41, 0, 0, 2, 3, 1.0, 0, 0, 0});
  {
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::Append));
    file.write(reinterpret_cast<const char*>(frame.data()), static_cast<qint64>(frame.size() / 2));
  }
  start_ready();
  Session session(&pool);
  SessionLog log(session);
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
  EXPECT_EQ(log.steps.size(), 1u);
  ASSERT_EQ(events.failures.size(), 1u);
  const std::string message = events.failures[0].message.toStdString();
  EXPECT_CONTAINS(message, path.toStdString() + " ends inside job 41");
  EXPECT_CONTAINS(message, "rank 0 sent no JobDone");
  EXPECT_CONTAINS(message, "the stream ended inside the StepDone frame");
}

TEST_F(ReplayTest, AnUnusableRecordingFailsTheStartNamingTheFile) {
  const auto start_failure = [&](const QString& file) {
    events.failures.clear();
    pool.start({file, 0});
    EXPECT_EQ(pool.state(), PoolState::Failed);
    EXPECT_EQ(pool.world(), 0);
    EXPECT_TRUE(pool.workers().isEmpty());
    if (events.failures.size() != 1u) return std::string("(no failure)");
    EXPECT_EQ(events.failures[0].rank, -1);
    return events.failures[0].message.toStdString();
  };
  const QString missing = dir.filePath("missing.spstream");
  EXPECT_CONTAINS(start_failure(missing), "cannot open the recording " + missing.toStdString());

  const QString garbage = dir.filePath("garbage.spstream");
  {
    QFile file(garbage);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("this is not a recording at all");
  }
  const std::string bad_magic = start_failure(garbage);
  EXPECT_CONTAINS(bad_magic, "recording " + garbage.toStdString());
  EXPECT_CONTAINS(bad_magic, "not an SP Studio stream");

  RecordingBuilder no_job(2);
  no_job.pool();
  no_job.write(path);
  EXPECT_CONTAINS(start_failure(path), "recording " + path.toStdString() + " has no job");

  RecordingBuilder no_pool(1);
  no_pool.job(41, 1, 1, 1.0);
  no_pool.write(path);
  EXPECT_CONTAINS(start_failure(path), "recording " + path.toStdString() + " has no Ready or Hello");

  RecordingBuilder two_pools(1);
  two_pools.pool();
  two_pools.add(wire::Ready{0, 2, "gloo", "cpu", 1});
  two_pools.job(41, 1, 1, 1.0);
  two_pools.write(path);
  EXPECT_CONTAINS(start_failure(path), "mixes pools of 1 and 2 workers");

  RecordingBuilder outside(1);
  outside.pool();
  outside.add(wire::Log{3, wire::LogLevel::Info, "who?"});
  outside.job(41, 1, 1, 1.0);
  outside.write(path);
  EXPECT_CONTAINS(start_failure(path), "comes from rank 3, but the pool had 1 workers");

  RecordingBuilder supervisor(1);
  supervisor.pool();
  supervisor.add(job_with_id(41));
  supervisor.job(41, 1, 1, 1.0);
  supervisor.write(path);
  EXPECT_CONTAINS(start_failure(path), "is a Job, which only the supervisor sends");
}

TEST_F(ReplayTest, AForwardJobFailsSayingWhy) {
  RecordingBuilder recording(2);
  recording.pool();
  recording.job(41, 1, 1, 1.0);
  recording.write(path);
  start_ready();
  Session session(&pool);
  SessionLog log(session);
  session.submit(wire::ForwardJob{});
  ASSERT_TRUE(wait_for([&] { return !log.finished.empty(); }));
  EXPECT_EQ(log.finished[0].status, wire::JobStatus::Failed);
  EXPECT_CONTAINS(log.finished[0].error.toStdString(), "cannot run a forward job");
  EXPECT_EQ(pool.state(), PoolState::Ready);
}

TEST_F(ReplayTest, StoppingMidJobCancelsItAndPlaysNothingMore) {
  RecordingBuilder recording(1);
  recording.pool();
  recording.job(41, 1, 3, 200.0);
  recording.write(path);
  start_ready(1.0);
  Session session(&pool);
  SessionLog log(session);
  session.submit(job_with_id(0));
  ASSERT_TRUE(wait_for([&] { return log.steps.size() == 1; }));
  pool.stop();
  ASSERT_EQ(log.finished.size(), 1u);
  EXPECT_EQ(log.finished[0].status, wire::JobStatus::Cancelled);
  const std::size_t seen = events.messages.size();
  run_for(500ms);
  EXPECT_EQ(events.messages.size(), seen);
}

}  // namespace
}  // namespace spstudio::app
