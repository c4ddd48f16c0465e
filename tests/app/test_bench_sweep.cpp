// SPDX-License-Identifier: Apache-2.0
// BenchSweep with real spworker processes (builtin:tiny-flux on CPU): bench semantics (warm-up
// images are not measured, one fresh pool per configuration), the failure of one configuration
// named, and a cancel that leaves no worker behind.
#include <gtest/gtest.h>

#include <QStringList>
#include <set>

#include "app/session/bench_sweep.h"
#include "pool_test_support.h"
#include "support/error_text.h"

namespace spstudio::app {
namespace {

using namespace testing;
using namespace std::chrono_literals;

SweepOptions tiny_sweep(std::vector<ParallelConfig> configs, int warmup, int repeat) {
  SweepOptions o;
  o.pool.device = "cpu";
  o.pool.worker_program = SPSTUDIO_SPWORKER_BIN;
  o.pool.threads_per_worker = 1;
  o.job.model = "builtin:tiny-flux";
  o.job.prompt = "a red cube";
  o.job.width = o.job.height = 64;
  o.job.steps = 2;
  o.job.seed = 5;
  o.configs = std::move(configs);
  o.warmup = warmup;
  o.repeat = repeat;
  return o;
}

struct SweepEvents {
  explicit SweepEvents(BenchSweep& sweep) {
    QObject::connect(&sweep, &BenchSweep::progressed, [this](const QString& t) { progress << t; });
    QObject::connect(&sweep, &BenchSweep::configMeasured,
                     [this](const bench::ConfigResult& r) { measured.push_back(r); });
    QObject::connect(&sweep, &BenchSweep::finished, [this](const bench::BenchRun& r) { run = r, ++ended; });
    QObject::connect(&sweep, &BenchSweep::failed, [this](const QString& e) { errors << e, ++ended; });
  }
  QStringList progress, errors;
  std::vector<bench::ConfigResult> measured;
  bench::BenchRun run;
  int ended = 0;
};

TEST(BenchSweep, MeasuresEveryConfigurationWithoutTheWarmUp) {
  BenchSweep sweep;
  SweepEvents events(sweep);
  sweep.start(tiny_sweep({{1, 1}, {2, 1}, {1, 2}}, /*warmup=*/1, /*repeat=*/2));
  ASSERT_TRUE(wait_for([&] { return events.ended > 0; }, 180s));
  ASSERT_TRUE(events.errors.isEmpty()) << events.errors.join("\n").toStdString();
  EXPECT_FALSE(sweep.running());
  ASSERT_EQ(events.run.configs.size(), 3u);
  ASSERT_EQ(events.measured.size(), 3u);
  EXPECT_EQ(events.run.model, "builtin:tiny-flux");
  EXPECT_EQ(events.run.height, 64);
  EXPECT_EQ(events.run.steps, 2);
  EXPECT_EQ(events.run.warmup, 1);
  EXPECT_EQ(events.run.repeat, 2);
  for (std::size_t i = 0; i < 3; ++i) {
    const bench::ConfigResult& r = events.run.configs[i];
    SCOPED_TRACE(bench::config_label(r.degrees));
    EXPECT_EQ(r.degrees, events.measured[i].degrees);
    EXPECT_EQ(r.world, r.degrees.sp_size());
    EXPECT_EQ(r.images, 2);
    // Rank 0's steps of the measured job only: 2 images × 2 steps (the warm-up image's 2 are not).
    EXPECT_EQ(r.step_ms.count, 4u);
    EXPECT_GT(r.step_ms.min, 0);
    EXPECT_LE(r.step_ms.min, r.step_ms.median);
    EXPECT_NEAR(r.images_per_s, 2 / (r.wall_ms / 1000), 1e-9);
    EXPECT_NEAR(r.shares.attention + r.shares.all_to_all + r.shares.ring_p2p + r.shares.other, 1, 1e-6);
    EXPECT_EQ(r.peak_memory_bytes.size(), static_cast<std::size_t>(r.world));
    EXPECT_EQ(r.devices, std::vector<std::string>(static_cast<std::size_t>(r.world), "cpu"));
    EXPECT_GT(r.startup_ms, 0);
  }
  // Ulysses communicates by all-to-all only, the ring by P2P only, one rank by neither.
  EXPECT_EQ(events.run.configs[0].shares.all_to_all, 0);
  EXPECT_EQ(events.run.configs[0].shares.ring_p2p, 0);
  EXPECT_GT(events.run.configs[1].shares.all_to_all, 0);
  EXPECT_EQ(events.run.configs[1].shares.ring_p2p, 0);
  EXPECT_EQ(events.run.configs[2].shares.all_to_all, 0);
  EXPECT_GT(events.run.configs[2].shares.ring_p2p, 0);
  EXPECT_TRUE(events.progress.contains("2x1: starting 2 workers")) << events.progress.join("\n").toStdString();
  EXPECT_TRUE(events.progress.contains("1x2: 2 measured images"));
}

TEST(BenchSweep, AConfigurationThatFailsIsNamed) {
  BenchSweep sweep;
  SweepEvents events(sweep);
  SweepOptions options = tiny_sweep({{2, 1}}, 0, 1);
  options.job.plan_json = R"({"format": "spstudio-plan/1", "entries": {"no_such_module": {"gather": [{"dim": 1}]}}})";
  sweep.start(options);
  ASSERT_TRUE(wait_for([&] { return events.ended > 0; }, 120s));
  ASSERT_EQ(events.errors.size(), 1);
  EXPECT_TRUE(events.errors[0].startsWith("2x1: ")) << events.errors[0].toStdString();
  EXPECT_TRUE(events.errors[0].contains("no_such_module")) << events.errors[0].toStdString();
  EXPECT_TRUE(events.measured.empty());
  EXPECT_FALSE(sweep.running());
}

TEST(BenchSweep, CancelStopsTheWorkers) {
  BenchSweep sweep;
  SweepEvents events(sweep);
  SweepOptions options = tiny_sweep({{2, 1}, {1, 1}}, 0, 1);
  options.job.steps = 500;  // long enough to be cancelled mid-job
  sweep.start(options);
  ASSERT_TRUE(wait_for([&] { return events.progress.contains("2x1: 1 measured image"); }, 120s));
  const QVector<WorkerInfo> workers = sweep.workers();
  ASSERT_EQ(workers.size(), 2);
  sweep.cancel();
  EXPECT_EQ(events.errors, QStringList{"cancelled"});
  for (const WorkerInfo& w : workers)
    EXPECT_FALSE(process_exists(w.pid)) << "rank " << w.rank << " outlived the cancel";
  EXPECT_FALSE(sweep.running());
  EXPECT_TRUE(events.measured.empty());
  run_for(200ms);  // nothing more arrives from the stopped pool
  EXPECT_EQ(events.ended, 1);
}

}  // namespace
}  // namespace spstudio::app
