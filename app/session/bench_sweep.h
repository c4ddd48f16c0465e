// SPDX-License-Identifier: Apache-2.0
// A benchmark sweep with `spstudio-cli bench` semantics, without blocking: for each U × R
// configuration a fresh pool of U·R workers starts, runs `warmup` images unmeasured, then
// `repeat` measured images in one job, and is stopped; the figures come from the same
// bench_config_result the CLI uses. The GUI's comparison view runs sweeps through it, and the plan
// editor's dry run is a sweep of one configuration and one image.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "app/session/session.h"
#include "app/session/worker_pool.h"
#include "common/profiling/bench_results.h"

namespace spstudio::app {

struct SweepOptions {
  PoolOptions pool;  ///< worker program, device, threads; world is set per configuration
  /// Model, prompt, size, steps, seed, plan and preview interval; the degrees and the image count
  /// are set per configuration and phase.
  wire::Job job;
  std::vector<ParallelConfig> configs;
  int warmup = 1, repeat = 3;
};

class BenchSweep : public QObject {
  Q_OBJECT
 public:
  explicit BenchSweep(QObject* parent = nullptr);
  ~BenchSweep() override;  ///< stops the workers of a sweep still running

  /// Starts the sweep (a running one is cancelled first). configMeasured follows for each
  /// configuration, then finished — or failed at the first configuration that cannot be measured.
  void start(const SweepOptions& options);
  /// Stops the workers; failed("cancelled") follows.
  void cancel();
  bool running() const { return pool_ != nullptr; }
  /// The current configuration's workers (empty between configurations and after the sweep).
  QVector<WorkerInfo> workers() const { return pool_ ? pool_->workers() : QVector<WorkerInfo>{}; }

 signals:
  void progressed(QString text);  ///< "2x1: starting 2 workers", "2x1: 3 measured images"
  void configMeasured(spstudio::bench::ConfigResult result);
  void finished(spstudio::bench::BenchRun run);
  /// One line naming the configuration and, from the workers, the rank: "2x1: rank 1 …".
  void failed(QString error);

 private:
  void start_config();
  /// Submits the warm-up job or the measured one, and says so.
  void start_phase(bool measuring);
  void on_job_finished(const JobResult& result);
  void fail(const QString& why);
  void teardown();  ///< stops and deletes the current configuration's pool
  QString label() const;

  SweepOptions options_;
  std::size_t index_ = 0;  ///< the configuration being measured
  bench::BenchRun run_;
  WorkerPool* pool_ = nullptr;
  Session* session_ = nullptr;
  bool measuring_ = false;  ///< false while the warm-up job runs
  QElapsedTimer startup_clock_, job_clock_;
  double startup_ms_ = 0;
};

}  // namespace spstudio::app

Q_DECLARE_METATYPE(spstudio::bench::ConfigResult)
Q_DECLARE_METATYPE(spstudio::bench::BenchRun)
