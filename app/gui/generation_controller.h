// SPDX-License-Identifier: Apache-2.0
// The window's logic, without the widgets: the queue of generation items (each a snapshot of the
// parameters, run one at a time — the pool is restarted when an item needs another world size or
// device), the three cancel actions, progress and ETA, the live preview, the gallery of finished
// images, single-rank reference comparisons, and the workers' status. A pool failure fails the
// running item only: the gallery and the queue stay, and restartWorkers() carries on with them.
#pragma once

#include <QHash>
#include <QImage>
#include <QObject>
#include <QRandomGenerator>
#include <QVector>
#include <optional>

#include "app/gui/progress.h"
#include "app/gui/session_host.h"
#include "ui/models/gallery_model.h"
#include "ui/models/queue_model.h"
#include "ui/models/worker_status_model.h"

namespace spstudio::gui {

class GenerationController : public QObject {
  Q_OBJECT
 public:
  explicit GenerationController(SessionHost* host, QObject* parent = nullptr);

  ui::QueueModel* queue() { return &queue_; }
  ui::GalleryModel* gallery() { return &gallery_; }
  ui::WorkerStatusModel* workers() { return &workers_; }
  SessionHost* host() const { return host_; }

  /// Worker program, threads, timeouts for the pools this controller starts (world and device come
  /// from each item's parameters).
  void setPoolTemplate(const app::PoolOptions& options) { pool_template_ = options; }
  /// Starts a pool for `params` now (the window does this at launch so the first item runs at once).
  void warmUp(const ui::GenerationParams& params);

  /// Queues one item: a snapshot of params with its seed resolved (SeedMode), plus the plan text.
  /// Returns the item's queue id.
  quint64 enqueue(ui::GenerationParams params, const QString& plan_json);
  /// Now: stop the running item at its next step and drop the queued ones. AfterImage: finish the
  /// image in progress, skip the item's other images, drop the queued ones. Pending: drop the
  /// queued ones. Finished images are always kept.
  void cancel(wire::CancelMode mode);
  void restartWorkers();
  /// Renders gallery row's seed with one rank and records the PSNR / max |Δ| on the item.
  void compareWithReference(int gallery_row);

  bool busy() const { return running_item_.has_value(); }
  const Progress& progress() const { return progress_; }
  const QString& failureText() const { return failure_; }

 signals:
  void progressChanged(spstudio::gui::Progress progress);
  /// The preview to show: stitched tiles (final false), then the finished image (final true).
  void previewChanged(QImage image, QVector<spstudio::ui::RankTile> tiles, bool final);
  /// A failure to show until dismissed or the workers are back ("" clears it).
  void failureChanged(QString text);
  void statusMessage(QString text);
  void logLine(QString text);
  /// A queue item ended (any status); the seed box may advance on enqueue instead.
  void itemFinished(quint64 item_id, spstudio::ui::QueueState state);

 private:
  struct Pending {
    QString plan_json;
  };

  void dispatch();
  app::PoolOptions pool_options_for(const ui::GenerationParams& params) const;
  bool pool_matches(const ui::GenerationParams& params) const;
  void drop_queued(const QString& why);
  void update_worker_rows(app::PoolState state, const QVector<app::WorkerInfo>& workers);
  void on_step(const wire::StepDone& step);
  void on_image(const FinishedImage& image);
  void on_job_finished(const app::JobResult& result);
  void on_reference(const ReferenceResult& result);
  void set_failure(const QString& text);
  int queued_steps() const;

  SessionHost* host_;
  ui::QueueModel queue_;
  ui::GalleryModel gallery_;
  ui::WorkerStatusModel workers_;
  app::PoolOptions pool_template_;
  QHash<quint64, Pending> pending_;  ///< item id → what enqueue received besides params
  quint64 next_item_ = 1;
  std::optional<quint64> running_item_;
  quint64 running_job_ = 0;  ///< the Session's id of the running item's job
  QVector<double> step_ms_;  ///< rank 0's step times of the image in progress
  double last_mean_step_ms_ = 0;
  QVector<ui::RankTile> last_tiles_;
  Progress progress_;
  QString failure_;
  QHash<quint64, QPair<quint64, int>> references_;  ///< tag → (job id, image index) of the gallery item
  quint64 next_reference_ = 1;
  QRandomGenerator rng_{QRandomGenerator::securelySeeded()};
};

}  // namespace spstudio::gui
