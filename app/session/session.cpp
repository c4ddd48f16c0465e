// SPDX-License-Identifier: Apache-2.0
// Session: one job at a time on the pool; every rank's stream folded into the running job's
// JobResult. A job ends when every rank has sent its JobDone, or when the pool fails or stops.
#include "app/session/session.h"

#include <chrono>
#include <deque>
#include <set>
#include <stdexcept>
#include <variant>

namespace spstudio::app {

namespace {

using QueuedJob = std::variant<wire::Job, wire::ForwardJob>;

quint64 id_of(const QueuedJob& job) {
  return std::visit([](const auto& j) { return static_cast<quint64>(j.job_id); }, job);
}

std::int64_t steady_now_ns() {
  // The workers stamp step_end_ns with the same clock (CLOCK_MONOTONIC on Linux).
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Session::Impl {
  struct Running {
    JobResult result;
    std::set<std::uint32_t> done_ranks;
    bool any_failed = false, any_cancelled = false;
    QStringList errors;
  };

  Session* q;
  WorkerLink* pool;
  std::deque<QueuedJob> queue;
  quint64 next_id = 1;
  std::optional<Running> running;
  profiling::RangeNames names;

  Impl(Session* owner, WorkerLink* worker_pool) : q(owner), pool(worker_pool) {}

  void dispatch() {
    if (running || queue.empty() || pool->state() != PoolState::Ready) return;
    QueuedJob job = std::move(queue.front());
    queue.pop_front();
    running.emplace();
    running->result.job_id = id_of(job);
    running->result.rank_summaries.resize(pool->world());
    const bool sent = std::visit([this](const auto& j) { return pool->send_to_all(j); }, job);
    if (!sent) {  // the pool left Ready between the check and the send: keep the job
      running.reset();
      queue.push_front(std::move(job));
      return;
    }
    emit q->jobStarted(id_of(job));
  }

  void finish(wire::JobStatus status, const QString& error) {
    JobResult result = std::move(running->result);
    result.status = status;
    result.error = error;
    running.reset();
    emit q->jobFinished(result);
    dispatch();
  }

  void drop_queue() {
    // Every submitted job hears its end: the dropped ones end Cancelled without having run.
    std::deque<QueuedJob> dropped;
    dropped.swap(queue);
    for (const QueuedJob& job : dropped) {
      JobResult result;
      result.job_id = id_of(job);
      result.status = wire::JobStatus::Cancelled;
      result.error = "cancelled before it started";
      emit q->jobFinished(result);
    }
  }

  bool is_current(std::uint64_t job_id) const { return running && running->result.job_id == job_id; }

  void on_message(const wire::Message& message) {
    std::visit([this](const auto& m) { handle(m); }, message);
  }

  void handle(const wire::StringDef& def) { names.define(def); }
  void handle(const wire::Log& log) {
    emit q->logReceived(static_cast<int>(log.rank), QString::fromStdString(log.text));
  }
  void handle(const wire::Error& error) {
    const QString text = QString::fromStdString(error.message);
    emit q->logReceived(static_cast<int>(error.rank), "error: " + text);
    if (running && (error.job_id == 0 || is_current(error.job_id))) {
      running->errors << QString("rank %1: %2").arg(error.rank).arg(text);
    }
  }
  void handle(const wire::StepPreview& preview) {
    if (!is_current(preview.job_id)) return;
    running->result.preview_latency_ms.push_back(static_cast<double>(steady_now_ns() - preview.step_end_ns) / 1e6);
    emit q->stepPreviewReady(preview);
  }
  void handle(const wire::StepDone& step) {
    if (!is_current(step.job_id)) return;
    running->result.steps.push_back(step);
    if (step.rank == 0) emit q->stepFinished(step);
  }
  void handle(const wire::Ranges& ranges) {
    if (!is_current(ranges.job_id)) return;
    std::vector<profiling::NamedRange> resolved;
    try {
      resolved = names.resolve(ranges);
    } catch (const std::exception& e) {
      emit q->logReceived(static_cast<int>(ranges.rank), QString("profiling ranges dropped: ") + e.what());
      return;
    }
    running->result.ranges.insert(running->result.ranges.end(), resolved.begin(), resolved.end());
    emit q->rangesReceived(resolved);
  }
  void handle(const wire::Latent& latent) {
    if (is_current(latent.job_id)) emit q->latentReceived(latent);
  }
  void handle(const wire::ImageDone& image) {
    if (!is_current(image.job_id) || image.rank != 0) return;
    running->result.images.push_back(image);
    emit q->imageFinished(image);
  }
  void handle(const wire::JobDone& done) {
    if (!is_current(done.job_id)) return;
    Running& r = *running;
    if (done.rank < static_cast<std::uint32_t>(r.result.rank_summaries.size())) {
      r.result.rank_summaries[static_cast<int>(done.rank)] = QString::fromStdString(done.summary_json);
    }
    r.any_failed |= done.status == wire::JobStatus::Failed;
    r.any_cancelled |= done.status == wire::JobStatus::Cancelled;
    if (done.status == wire::JobStatus::Failed && r.errors.isEmpty()) {
      r.errors << QString("rank %1 reported that the job failed").arg(done.rank);
    }
    r.done_ranks.insert(done.rank);
    if (static_cast<int>(r.done_ranks.size()) < pool->world()) return;
    const auto status = r.any_failed      ? wire::JobStatus::Failed
                        : r.any_cancelled ? wire::JobStatus::Cancelled
                                          : wire::JobStatus::Ok;
    finish(status, status == wire::JobStatus::Failed ? r.errors.join("\n") : QString());
  }
  template <typename Other>
  void handle(const Other&) {}  // Ready, Heartbeat, Bye: the pool's business

  void on_pool_failed(const WorkerFailure& failure) {
    // The queue stays: after a restart it runs. Images finished earlier are in earlier results.
    if (running) finish(wire::JobStatus::Failed, failure.message);
  }

  void on_state_changed(PoolState state) {
    if (state == PoolState::Starting) names.clear();  // new workers define their names anew
    if (state == PoolState::Stopping || state == PoolState::Stopped) {
      if (running) finish(wire::JobStatus::Cancelled, "the worker pool was stopped");
    }
  }
};

Session::Session(WorkerLink* pool, QObject* parent) : QObject(parent), impl_(std::make_unique<Impl>(this, pool)) {
  register_session_metatypes();
  connect(pool, &WorkerLink::messageReceived, this, [this](const wire::Message& m) { impl_->on_message(m); });
  connect(pool, &WorkerLink::poolReady, this, [this] { impl_->dispatch(); });
  connect(pool, &WorkerLink::workerFailed, this, [this](const WorkerFailure& f) { impl_->on_pool_failed(f); });
  connect(pool, &WorkerLink::stateChanged, this, [this](PoolState s) { impl_->on_state_changed(s); });
}

Session::~Session() = default;

WorkerLink* Session::pool() const {
  return impl_->pool;
}

quint64 Session::submit(wire::Job job) {
  job.job_id = impl_->next_id++;
  impl_->queue.push_back(job);
  impl_->dispatch();
  return job.job_id;
}

quint64 Session::submit(wire::ForwardJob job) {
  job.job_id = impl_->next_id++;
  impl_->queue.push_back(job);
  impl_->dispatch();
  return job.job_id;
}

void Session::cancel(wire::CancelMode mode) {
  if (mode != wire::CancelMode::Pending && impl_->running) {
    impl_->pool->send_to_all(wire::Cancel{impl_->running->result.job_id, mode});
  }
  impl_->drop_queue();
}

int Session::queued() const {
  return static_cast<int>(impl_->queue.size());
}

std::optional<quint64> Session::running() const {
  if (!impl_->running) return std::nullopt;
  return impl_->running->result.job_id;
}

}  // namespace spstudio::app
