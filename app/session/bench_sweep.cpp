// SPDX-License-Identifier: Apache-2.0
// Pools are torn down from the next event-loop turn, never inside their own signals.
#include "app/session/bench_sweep.h"

#include <QTimer>

#include "app/session/job_summaries.h"

namespace spstudio::app {

BenchSweep::BenchSweep(QObject* parent) : QObject(parent) {
  register_session_metatypes();
  qRegisterMetaType<bench::ConfigResult>();
  qRegisterMetaType<bench::BenchRun>();
}

BenchSweep::~BenchSweep() {
  teardown();
}

QString BenchSweep::label() const {
  return QString::fromStdString(bench::config_label(options_.configs.at(index_)));
}

void BenchSweep::start(const SweepOptions& options) {
  if (running()) cancel();
  options_ = options;
  index_ = 0;
  run_ = bench::BenchRun{options.job.model,
                         static_cast<int>(options.job.height),
                         static_cast<int>(options.job.width),
                         static_cast<int>(options.job.steps),
                         options.warmup,
                         options.repeat,
                         {}};
  if (options_.configs.empty()) {
    QTimer::singleShot(0, this, [this] { emit failed("the sweep has no configuration"); });
    return;
  }
  start_config();
}

void BenchSweep::cancel() {
  if (!running()) return;
  teardown();
  emit failed("cancelled");
}

void BenchSweep::start_config() {
  const ParallelConfig degrees = options_.configs.at(index_);
  PoolOptions pool = options_.pool;
  pool.world = degrees.sp_size();
  pool_ = new WorkerPool(this);
  session_ = new Session(pool_, this);
  connect(pool_, &WorkerLink::poolReady, this, [this] {
    startup_ms_ = static_cast<double>(startup_clock_.nsecsElapsed()) / 1e6;
    start_phase(/*measuring=*/options_.warmup == 0);
  });
  connect(pool_, &WorkerLink::workerFailed, this, [this](const WorkerFailure& failure) { fail(failure.message); });
  connect(session_, &Session::jobStarted, this, [this] { job_clock_.start(); });
  connect(session_, &Session::jobFinished, this, [this](const JobResult& result) { on_job_finished(result); });
  emit progressed(label() + QString(": starting %1 worker%2").arg(pool.world).arg(pool.world == 1 ? "" : "s"));
  startup_clock_.start();
  pool_->start(pool);
}

void BenchSweep::start_phase(bool measuring) {
  measuring_ = measuring;
  const int images = measuring ? options_.repeat : options_.warmup;
  emit progressed(
      label() +
      QString(": %1 %2 image%3").arg(images).arg(measuring ? "measured" : "warm-up").arg(images == 1 ? "" : "s"));
  wire::Job job = options_.job;
  const ParallelConfig degrees = options_.configs.at(index_);
  job.ulysses_degree = static_cast<std::uint32_t>(degrees.ulysses_degree);
  job.ring_degree = static_cast<std::uint32_t>(degrees.ring_degree);
  job.images = static_cast<std::uint32_t>(images);
  job.profile = true;
  session_->submit(job);
}

void BenchSweep::on_job_finished(const JobResult& result) {
  if (result.status != wire::JobStatus::Ok) {
    fail(result.error.isEmpty() ? QString("the job was cancelled") : result.error);
    return;
  }
  if (!measuring_) {
    start_phase(/*measuring=*/true);
    return;
  }
  const double wall_ms = static_cast<double>(job_clock_.nsecsElapsed()) / 1e6;
  const bench::ConfigResult measured =
      bench_config_result(options_.configs.at(index_), static_cast<int>(options_.job.steps), result, wall_ms,
                          startup_ms_, pool_->workers());
  run_.configs.push_back(measured);
  emit configMeasured(measured);
  QTimer::singleShot(0, this, [this] {
    if (!running()) return;  // cancelled meanwhile
    teardown();
    if (++index_ < options_.configs.size())
      start_config();
    else
      emit finished(run_);
  });
}

void BenchSweep::fail(const QString& why) {
  const QString text = label() + ": " + why;
  QTimer::singleShot(0, this, [this, text] {
    if (!running()) return;  // cancelled meanwhile
    teardown();
    emit failed(text);
  });
  // Nothing more from this pool may count: a failed job is followed by the pool's own failure.
  session_->disconnect(this);
  pool_->disconnect(this);
}

void BenchSweep::teardown() {
  if (!pool_) return;
  delete session_;  // first: it must not see the pool's last signals as a failure of its job
  session_ = nullptr;
  pool_->stop();
  delete pool_;
  pool_ = nullptr;
}

}  // namespace spstudio::app
