// SPDX-License-Identifier: Apache-2.0
// A generation session on a WorkerLink (real workers, or a recorded stream played back): a queue
// of jobs (each snapshots its parameters), dispatch one at a time, the three cancel modes of
// UX.md, and the per-job streams reassembled from all ranks: previews, step timing, profiling
// ranges with their names resolved, finished images. The GUI and spstudio-cli both drive jobs
// through it. A pool failure fails the running job, keeps the finished images and the queue, and
// the pool can be restarted.
#pragma once

#include <QObject>
#include <QString>
#include <QVector>
#include <memory>
#include <optional>
#include <vector>

#include "app/session/worker_link.h"
#include "common/profiling/timeline.h"
#include "common/wire/messages.h"

namespace spstudio::app {

/// What a finished job left behind (rank 0's image and latents; every rank's summary).
struct JobResult {
  quint64 job_id = 0;
  wire::JobStatus status = wire::JobStatus::Ok;
  QString error;                              ///< Failed: the readable reason
  QVector<wire::ImageDone> images;            ///< rank 0's, in image order
  QVector<QString> rank_summaries;            ///< JobDone.summary_json per rank
  QVector<wire::StepDone> steps;              ///< every rank's
  std::vector<profiling::NamedRange> ranges;  ///< every rank's, names resolved
  QVector<double> preview_latency_ms;         ///< StepPreview received − step_end_ns
};

class Session : public QObject {
  Q_OBJECT
 public:
  explicit Session(WorkerLink* pool, QObject* parent = nullptr);
  ~Session() override;

  WorkerLink* pool() const;
  /// Queues a job (job_id assigned here, returned); dispatched when the pool is Ready and idle.
  quint64 submit(wire::Job job);
  quint64 submit(wire::ForwardJob job);
  /// Now: stop the running job at its next step boundary and drop the queue. AfterImage: finish the
  /// image in progress, skip the running job's other images, drop the queue. Pending: drop the queue.
  /// Every dropped queued job gets its jobFinished (Cancelled, no images) at once.
  void cancel(wire::CancelMode mode);
  int queued() const;
  std::optional<quint64> running() const;

 signals:
  void jobStarted(quint64 job_id);
  void stepPreviewReady(const spstudio::wire::StepPreview& preview);
  void stepFinished(const spstudio::wire::StepDone& step);  ///< rank 0's StepDone
  void rangesReceived(const std::vector<spstudio::profiling::NamedRange>& ranges);
  void latentReceived(const spstudio::wire::Latent& latent);
  void imageFinished(const spstudio::wire::ImageDone& image);  ///< rank 0's
  /// Ok, Cancelled or Failed; exactly once for every submitted job (dropped queued jobs too).
  void jobFinished(const spstudio::app::JobResult& result);
  void logReceived(int rank, QString text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spstudio::app

Q_DECLARE_METATYPE(spstudio::app::JobResult)
Q_DECLARE_METATYPE(spstudio::wire::StepPreview)
Q_DECLARE_METATYPE(spstudio::wire::StepDone)
Q_DECLARE_METATYPE(spstudio::wire::Latent)
Q_DECLARE_METATYPE(spstudio::wire::ImageDone)
Q_DECLARE_METATYPE(std::vector<spstudio::profiling::NamedRange>)
