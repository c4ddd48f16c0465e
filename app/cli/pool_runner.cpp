// SPDX-License-Identifier: Apache-2.0
#include "app/cli/pool_runner.h"

#include <QFileInfo>
#include <QTimer>
#include <csignal>
#include <cstring>

#include "app/cli/cli_options.h"
#include "app/cli/rank_errors.h"

namespace spstudio::cli {
namespace {

QString signal_text(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return QString("signal %1").arg(signal);
}

}  // namespace

PoolRunner::PoolRunner(app::PoolOptions options) : options_(std::move(options)), session_(&pool_) {
  auto wake = [this] { loop_.quit(); };
  QObject::connect(&pool_, &app::WorkerPool::poolReady, &loop_, wake);
  QObject::connect(&pool_, &app::WorkerPool::poolStopped, &loop_, wake);
  QObject::connect(&pool_, &app::WorkerPool::stateChanged, &loop_, wake);
  QObject::connect(&pool_, &app::WorkerPool::workerFailed, &loop_, [this](const app::WorkerFailure& failure) {
    if (!failure_) failure_ = failure;
    loop_.quit();
  });
  QObject::connect(&session_, &app::Session::jobStarted, &loop_, [this](quint64) { job_clock_.start(); });
  QObject::connect(&session_, &app::Session::stepFinished, &loop_, [this](const wire::StepDone& step) {
    if (callbacks_.on_step) callbacks_.on_step(step);
  });
  QObject::connect(&session_, &app::Session::imageFinished, &loop_, [this](const wire::ImageDone& image) {
    if (callbacks_.on_image) callbacks_.on_image(image);
  });
  QObject::connect(&session_, &app::Session::jobFinished, &loop_, [this](const app::JobResult& result) {
    last_job_ms_ = job_clock_.isValid() ? static_cast<double>(job_clock_.nsecsElapsed()) / 1e6 : 0.0;
    result_ = result;
    loop_.quit();
  });
  QObject::connect(&signals_, &SignalWatch::interrupted, &loop_, wake);
}

PoolRunner::~PoolRunner() {
  try {
    stop();
  } catch (...) {
    // The pool's own destructor kills whatever is left.
  }
}

void PoolRunner::wait_until(const std::function<bool()>& done) {
  while (!done() && signals_.received() == 0 && !failure_)
    loop_.exec();
}

void PoolRunner::throw_if_interrupted_or_failed(const QString& context) {
  if (signals_.received() != 0) {
    const int signal = signals_.received();
    stop();
    throw CliError(context + " was interrupted by " + signal_text(signal) + "; the workers were stopped",
                   kInterruptedExitCode);
  }
  if (failure_) {
    const std::string message = pool_failure_text(failure_->message.toStdString());
    stop();
    throw CliError(context.toStdString() + " failed: " + message);
  }
}

void PoolRunner::start() {
  const QFileInfo program(options_.worker_program);
  if (!options_.worker_program.isEmpty() && (!program.exists() || !program.isExecutable()))
    throw CliError("the worker program " + options_.worker_program +
                   (program.exists() ? " is not executable" : " does not exist") +
                   " (build the spworker target, or pass --worker PATH)");
  failure_.reset();
  pool_.start(options_);
  wait_until([this] { return pool_.state() == app::PoolState::Ready; });
  throw_if_interrupted_or_failed(
      QString("starting %1 worker%2").arg(options_.world).arg(options_.world == 1 ? "" : "s"));
}

app::JobResult PoolRunner::wait_for_job(quint64 job_id, const char* what) {
  wait_until([this] { return result_.has_value(); });
  // A pool failure also fails the running job; report the failure itself (it names the rank).
  throw_if_interrupted_or_failed(what);
  app::JobResult result = std::move(*result_);
  result_.reset();
  if (result.job_id != job_id)
    throw CliError(
        QString("%1: the session finished job %2 while job %3 was expected").arg(what).arg(result.job_id).arg(job_id));
  if (result.status == wire::JobStatus::Failed)
    throw CliError(
        std::string(what) + " failed: " +
        (result.error.isEmpty() ? std::string("no reason given") : condense_rank_errors(result.error.toStdString())));
  if (result.status == wire::JobStatus::Cancelled) throw CliError(QString(what) + " was cancelled");
  return result;
}

app::JobResult PoolRunner::run(wire::Job job, const JobCallbacks& callbacks) {
  callbacks_ = callbacks;
  result_.reset();
  job_clock_.invalidate();
  const quint64 id = session_.submit(std::move(job));
  auto result = wait_for_job(id, "the generation");
  callbacks_ = {};
  return result;
}

app::JobResult PoolRunner::run(wire::ForwardJob job) {
  callbacks_ = {};
  result_.reset();
  job_clock_.invalidate();
  const quint64 id = session_.submit(std::move(job));
  return wait_for_job(id, "the forward run");
}

void PoolRunner::stop() {
  if (pool_.state() == app::PoolState::Stopped) return;
  constexpr std::chrono::milliseconds grace(3000);
  pool_.stop(grace);
  // stop() ends in poolStopped; the timer only guards against waiting forever.
  bool timed_out = false;
  QTimer guard;
  guard.setSingleShot(true);
  QObject::connect(&guard, &QTimer::timeout, &loop_, [&] {
    timed_out = true;
    loop_.quit();
  });
  guard.start(grace + std::chrono::milliseconds(5000));
  while (pool_.state() != app::PoolState::Stopped && !timed_out)
    loop_.exec();
}

}  // namespace spstudio::cli
