// SPDX-License-Identifier: Apache-2.0
// Runs jobs on a worker pool synchronously for the CLI's commands: start the pool, submit a job
// through a Session, and wait — in a local event loop — for the job to finish, a worker to fail or
// SIGINT/SIGTERM. Every failure becomes a CliError whose one line names the rank; the pool is
// stopped before it is thrown (no worker outlives the command).
#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QString>
#include <functional>
#include <optional>

#include "app/cli/signal_watch.h"
#include "app/session/session.h"
#include "app/session/worker_pool.h"

namespace spstudio::cli {

struct JobCallbacks {
  std::function<void(const wire::StepDone&)> on_step;  ///< rank 0's steps
  std::function<void(const wire::ImageDone&)> on_image;
};

class PoolRunner {
 public:
  explicit PoolRunner(app::PoolOptions options);
  ~PoolRunner();  ///< stops the pool
  PoolRunner(const PoolRunner&) = delete;
  PoolRunner& operator=(const PoolRunner&) = delete;

  /// Starts the workers and waits until every rank is Ready. Throws CliError.
  void start();
  /// Runs one job to its end. Throws CliError when it fails, is cancelled, a worker fails or the
  /// command is interrupted.
  app::JobResult run(wire::Job job, const JobCallbacks& callbacks = {});
  app::JobResult run(wire::ForwardJob job);
  /// Orderly shutdown (Bye, wait, kill); waits until every worker has ended.
  void stop();

  app::WorkerPool& pool() { return pool_; }
  /// Milliseconds from the last job's dispatch (jobStarted) to its JobDone.
  double last_job_ms() const { return last_job_ms_; }

 private:
  /// Runs the event loop until `done`, a worker failure or a signal.
  void wait_until(const std::function<bool()>& done);
  /// After a wait: stops the pool and throws CliError when a signal or a worker failure ended it.
  void throw_if_interrupted_or_failed(const QString& context);
  app::JobResult wait_for_job(quint64 job_id, const char* what);

  app::PoolOptions options_;
  app::WorkerPool pool_;
  app::Session session_;
  SignalWatch signals_;
  QEventLoop loop_;
  std::optional<app::WorkerFailure> failure_;
  std::optional<app::JobResult> result_;
  JobCallbacks callbacks_;
  QElapsedTimer job_clock_;
  double last_job_ms_ = 0;
};

}  // namespace spstudio::cli
