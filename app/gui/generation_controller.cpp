// SPDX-License-Identifier: Apache-2.0
#include "app/gui/generation_controller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <numeric>

#include "app/gui/image_convert.h"
#include "common/image_diff.h"

namespace spstudio::gui {
namespace {

double mean(const QVector<double>& values) {
  if (values.isEmpty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / values.size();
}

QJsonObject summary_object(const QString& text) {
  return QJsonDocument::fromJson(text.toUtf8()).object();  // not JSON: empty, the fields stay unknown
}

QString worker_state_text(app::PoolState state, bool connected, bool ready, bool busy) {
  switch (state) {
    case app::PoolState::Ready:
      return busy ? "busy" : "ready";
    case app::PoolState::Starting:
      return ready ? "ready" : connected ? "connecting" : "starting";
    case app::PoolState::Failed:
      return "stopped";
    default:
      return app::to_string(state);
  }
}

}  // namespace

GenerationController::GenerationController(SessionHost* host, QObject* parent) : QObject(parent), host_(host) {
  connect(host_, &SessionHost::poolStateChanged, this, [this](app::PoolState state, const QVector<app::WorkerInfo>& w) {
    update_worker_rows(state, w);
    if (state == app::PoolState::Ready && !failure_.isEmpty()) set_failure({});
    dispatch();
  });
  connect(host_, &SessionHost::workerFailed, this, [this](const app::WorkerFailure& failure) {
    if (failure.rank >= 0) {
      workers_.setState(failure.rank, "failed", true);
      workers_.setMessage(failure.rank, failure.message);
    }
    set_failure(failure.message + "\nThe gallery and the queue are kept: restart the workers to go on.");
  });
  connect(host_, &SessionHost::jobStarted, this, [this](quint64 id) {
    if (id != running_job_) return;
    step_ms_.clear();
    workers_.setAllStates("busy");
  });
  connect(host_, &SessionHost::previewUpdated, this, [this](const PreviewFrame& frame) {
    if (frame.job_id != running_job_) return;
    last_tiles_ = frame.tiles;
    emit previewChanged(frame.image, frame.tiles, false);
  });
  connect(host_, &SessionHost::stepFinished, this, [this](const wire::StepDone& s) { on_step(s); });
  connect(host_, &SessionHost::imageFinished, this, [this](const FinishedImage& image) { on_image(image); });
  connect(host_, &SessionHost::jobFinished, this, [this](const app::JobResult& r) { on_job_finished(r); });
  connect(host_, &SessionHost::referenceFinished, this, [this](const ReferenceResult& r) { on_reference(r); });
  connect(host_, &SessionHost::logReceived, this,
          [this](int rank, const QString& text) { emit logLine(QString("rank %1: %2").arg(rank).arg(text)); });
  connect(host_, &SessionHost::workerOutput, this,
          [this](int rank, const QString& line) { emit logLine(QString("rank %1> %2").arg(rank).arg(line)); });
}

app::PoolOptions GenerationController::pool_options_for(const ui::GenerationParams& params) const {
  app::PoolOptions options = pool_template_;
  options.world = params.world();
  options.device = params.device;
  return options;
}

bool GenerationController::pool_matches(const ui::GenerationParams& params) const {
  if (host_->isReplay()) return true;  // a recording plays whatever it recorded
  const app::PoolOptions& current = host_->poolOptions();
  return host_->state() != app::PoolState::Stopped && current.world == params.world() &&
         current.device == params.device;
}

void GenerationController::warmUp(const ui::GenerationParams& params) {
  if (!pool_matches(params)) host_->startWorkers(pool_options_for(params));
}

quint64 GenerationController::enqueue(ui::GenerationParams params, const QString& plan_json) {
  params.seed = ui::seed_for_next_job(params, rng_);
  ui::QueueItem item;
  item.job_id = next_item_++;
  item.params = params;
  item.steps = params.steps;
  queue_.append(item);
  pending_.insert(item.job_id, Pending{plan_json});
  progress_.queued_steps = queued_steps();
  emit progressChanged(progress_);
  dispatch();
  return item.job_id;
}

int GenerationController::queued_steps() const {
  int steps = 0;
  for (int row = 0; row < queue_.rowCount(); ++row) {
    const ui::QueueItem& item = queue_.at(row);
    if (item.state == ui::QueueState::Queued) steps += item.params.steps * item.params.images;
  }
  return steps;
}

void GenerationController::dispatch() {
  if (running_item_) return;
  for (int row = 0; row < queue_.rowCount(); ++row) {
    const ui::QueueItem& item = queue_.at(row);
    if (item.state != ui::QueueState::Queued) continue;
    if (!pool_matches(item.params)) {
      // Another world size or device: bring up the pool this item needs; Ready calls us again.
      emit statusMessage(QString("starting %1 worker%2 for %3")
                             .arg(item.params.world())
                             .arg(item.params.world() == 1 ? "" : "s")
                             .arg(item.params.parallel_label()));
      host_->startWorkers(pool_options_for(item.params));
      return;
    }
    if (host_->state() != app::PoolState::Ready) return;  // starting, or failed: wait for Ready
    const quint64 item_id = item.job_id;
    running_item_ = item_id;
    running_job_ = host_->submit(ui::to_job(item.params, pending_.value(item_id).plan_json.toStdString()));
    queue_.setRunning(item_id);
    progress_ = Progress{};
    progress_.running = true;
    progress_.steps = item.params.steps;
    progress_.images = item.params.images;
    progress_.mean_step_ms = last_mean_step_ms_;
    progress_.queued_steps = queued_steps();
    emit progressChanged(progress_);
    return;
  }
}

void GenerationController::on_step(const wire::StepDone& step) {
  if (!running_item_ || step.job_id != running_job_) return;
  if (static_cast<int>(step.image_index) != progress_.image_index) step_ms_.clear();
  step_ms_.push_back(step.step_ms);
  last_mean_step_ms_ = mean(step_ms_);
  progress_.step = static_cast<int>(step.step);
  progress_.steps = static_cast<int>(step.steps);
  progress_.image_index = static_cast<int>(step.image_index);
  progress_.mean_step_ms = last_mean_step_ms_;
  queue_.setProgress(*running_item_, progress_.image_index, progress_.step, progress_.steps);
  emit progressChanged(progress_);
}

void GenerationController::on_image(const FinishedImage& image) {
  if (!running_item_ || image.job_id != running_job_) return;
  const int row = queue_.rowOf(*running_item_);
  if (row < 0) return;
  const QJsonObject summary = summary_object(image.summary_json);
  ui::GalleryItem item;
  item.job_id = *running_item_;
  item.image_index = image.image_index;
  item.params = queue_.at(row).params;
  item.params.seed = image.seed;
  item.image = image.image;
  item.latents = image.latents;
  if (summary.value("plan").isObject())
    item.plan_json = QString::fromUtf8(QJsonDocument(summary.value("plan").toObject()).toJson(QJsonDocument::Compact));
  for (const app::WorkerInfo& w : host_->workers())
    item.devices << w.device;
  for (const QJsonValue& v : summary.value("step_ms").toArray())
    item.step_ms << v.toDouble();
  if (item.step_ms.isEmpty()) item.step_ms = step_ms_;
  item.encode_ms = summary.value("encode_ms").toDouble();
  item.decode_ms = summary.value("decode_ms").toDouble();
  item.finished_at = QDateTime::currentDateTime();
  if (const auto peak = summary.value("peak_memory_bytes"); peak.isDouble())
    workers_.setPeak(0, quint64(peak.toDouble()));
  gallery_.append(item);
  queue_.setImageDone(*running_item_, image.image_index + 1);
  emit previewChanged(image.image, last_tiles_, true);
}

void GenerationController::on_job_finished(const app::JobResult& result) {
  if (!running_item_ || result.job_id != running_job_) return;
  const quint64 item_id = *running_item_;
  running_item_.reset();
  running_job_ = 0;
  pending_.remove(item_id);
  const ui::QueueState state = result.status == wire::JobStatus::Ok          ? ui::QueueState::Done
                               : result.status == wire::JobStatus::Cancelled ? ui::QueueState::Cancelled
                                                                             : ui::QueueState::Failed;
  queue_.setFinished(item_id, state, result.error);
  for (int rank = 0; rank < result.rank_summaries.size(); ++rank) {
    const auto peak = summary_object(result.rank_summaries[rank]).value("peak_memory_bytes");
    if (peak.isDouble()) workers_.setPeak(rank, quint64(peak.toDouble()));
  }
  if (host_->state() == app::PoolState::Ready) workers_.setAllStates("ready");
  progress_.running = false;
  progress_.queued_steps = queued_steps();
  emit progressChanged(progress_);
  emit itemFinished(item_id, state);
  if (state == ui::QueueState::Failed && failure_.isEmpty()) set_failure(result.error);
  dispatch();
}

void GenerationController::drop_queued(const QString& why) {
  for (int row = 0; row < queue_.rowCount(); ++row) {
    const ui::QueueItem& item = queue_.at(row);
    if (item.state != ui::QueueState::Queued) continue;
    const quint64 id = item.job_id;
    queue_.setFinished(id, ui::QueueState::Cancelled, why);
    pending_.remove(id);
    emit itemFinished(id, ui::QueueState::Cancelled);
  }
  progress_.queued_steps = 0;
  emit progressChanged(progress_);
}

void GenerationController::cancel(wire::CancelMode mode) {
  drop_queued("cancelled before it started");
  if (mode != wire::CancelMode::Pending && running_item_) {
    host_->cancel(mode);
    emit statusMessage(mode == wire::CancelMode::Now ? "stopping at the next step"
                                                     : "finishing this image, then stopping");
  }
}

void GenerationController::restartWorkers() {
  set_failure({});
  emit statusMessage("restarting the workers");
  if (host_->state() == app::PoolState::Stopped && queue_.pendingCount() > 0) {
    dispatch();
    return;
  }
  host_->restart();
}

void GenerationController::compareWithReference(int gallery_row) {
  if (gallery_row < 0 || gallery_row >= gallery_.rowCount()) return;
  const ui::GalleryItem& item = gallery_.at(gallery_row);
  ui::GenerationParams params = item.params;
  params.images = 1;
  const quint64 tag = next_reference_++;
  references_.insert(tag, {item.job_id, item.image_index});
  emit statusMessage(QString("rendering seed %1 with one rank for comparison").arg(params.seed));
  host_->renderReference(tag, ui::to_job(params, item.plan_json.toStdString()));
}

void GenerationController::on_reference(const ReferenceResult& result) {
  const auto key = references_.take(result.tag);
  const int row = gallery_.rowOf(key.first, key.second);
  if (row < 0) return;  // removed from the gallery meanwhile
  if (!result.ok) {
    gallery_.setDiffError(row, result.error);
    emit statusMessage("reference failed: " + result.error);
    return;
  }
  const ui::GalleryItem& item = gallery_.at(row);
  if (item.image.size() != result.image.image.size()) {
    gallery_.setDiffError(row, QString("the reference is %1x%2, the image %3x%4")
                                   .arg(result.image.image.width())
                                   .arg(result.image.image.height())
                                   .arg(item.image.width())
                                   .arg(item.image.height()));
    return;
  }
  ui::ReferenceDiff diff;
  const auto a = packed_rgb(item.image), b = packed_rgb(result.image.image);
  diff.image = compare_rgb8(a.data(), b.data(), a.size());
  if (!item.latents.bytes.empty() && !result.image.latents.bytes.empty()) {
    try {
      const TensorDifference latent = compare_tensors(item.latents, result.image.latents);
      diff.latent_max_abs = latent.max_abs;
      diff.latent_max_ref = latent.max_ref;
    } catch (const std::exception& e) {
      emit logLine(QString("latents not compared: ") + e.what());
    }
  }
  gallery_.setDiff(row, diff);
  emit statusMessage(QString("seed %1 against one rank: %2").arg(item.params.seed).arg(ui::describe_diff(diff)));
}

void GenerationController::update_worker_rows(app::PoolState state, const QVector<app::WorkerInfo>& infos) {
  if (infos.isEmpty() && state == app::PoolState::Stopped) {
    workers_.setRows({});
    return;
  }
  QVector<ui::WorkerRow> rows;
  for (const app::WorkerInfo& info : infos) {
    ui::WorkerRow row;
    row.rank = info.rank;
    row.device = info.device;
    row.backend = info.backend;
    row.memory_bytes = info.memory_bytes;
    row.pid = info.pid;
    row.state = worker_state_text(state, info.connected, info.ready, running_item_.has_value());
    // Keep what a failure said about this rank until the pool is back.
    for (const ui::WorkerRow& old : workers_.rows()) {
      if (old.rank != info.rank) continue;
      row.peak_bytes = old.peak_bytes;
      if (state != app::PoolState::Ready && old.failed) {
        row.failed = true;
        row.state = "failed";
        row.message = old.message;
      }
    }
    rows << row;
  }
  workers_.setRows(rows);
}

void GenerationController::set_failure(const QString& text) {
  if (failure_ == text) return;
  failure_ = text;
  emit failureChanged(text);
}

}  // namespace spstudio::gui
