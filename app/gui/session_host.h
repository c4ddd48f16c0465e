// SPDX-License-Identifier: Apache-2.0
// The window's link to the workers, on a thread of its own so the window never waits for them:
// the pool (real spworker processes, or a recorded stream played back), the Session on it, the
// decoding of every frame and the conversion of preview tiles and images into QImages all happen
// there; the window receives finished values (queued signals). It also renders single-rank
// references on demand, on a second one-rank pool that lives only while references are pending.
//
// The thread lives as long as the host: workers get PR_SET_PDEATHSIG from the thread that forked
// them, so they must not outlive it — and they do not outlive the window.
#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <QThread>
#include <QVector>
#include <memory>

#include "app/session/bench_sweep.h"
#include "app/session/replay_pool.h"
#include "app/session/session.h"
#include "app/session/worker_pool.h"
#include "ui/preview/preview_canvas.h"

namespace spstudio::gui {

/// The stitched live preview after a tile arrived.
struct PreviewFrame {
  quint64 job_id = 0;
  int image_index = 0;
  int step = 0, steps = 0;
  QImage image;  ///< preview resolution
  QVector<ui::RankTile> tiles;
};

/// Rank 0's finished image, converted.
struct FinishedImage {
  quint64 job_id = 0;
  int image_index = 0;
  quint64 seed = 0;
  QImage image;  ///< RGB888, full resolution
  wire::TensorData latents;
  QString summary_json;
};

/// A single-rank reference render, or why there is none.
struct ReferenceResult {
  quint64 tag = 0;
  bool ok = false;
  QString error;
  FinishedImage image;
};

class SessionCore;

class SessionHost : public QObject {
  Q_OBJECT
 public:
  explicit SessionHost(QObject* parent = nullptr);
  ~SessionHost() override;  ///< stops the workers (synchronously) and the thread

  /// Replaces whatever pool there is by real workers (PoolOptions.world processes).
  void startWorkers(const app::PoolOptions& options);
  /// Replaces whatever pool there is by the playback of a recording.
  void startReplay(const app::ReplayOptions& options);
  bool isReplay() const { return replay_; }
  /// Restarts the current pool (after a failure): the queue of the window is untouched.
  void restart();
  void stop();

  /// Queues a job on the Session; returns its id. Blocks only for the hand-over to the thread.
  quint64 submit(const wire::Job& job);
  void cancel(wire::CancelMode mode);
  /// Renders `job` with one rank (U = R = 1) on a separate pool; referenceFinished(tag) follows.
  void renderReference(quint64 tag, wire::Job job);

  /// Runs a benchmark sweep on pools of its own (the session's pool keeps running); progress,
  /// then sweepFinished or sweepFailed. A new sweep replaces one still running.
  void runSweep(const app::SweepOptions& options);
  void cancelSweep();
  /// The plan editor's final check: one image of `options.job` (its first configuration) on
  /// fresh workers; dryRunFinished says whether it ran and what it measured or what failed.
  void dryRun(const app::SweepOptions& options);

  app::PoolState state() const { return state_; }
  const QVector<app::WorkerInfo>& workers() const { return workers_; }
  const app::PoolOptions& poolOptions() const { return pool_options_; }

 signals:
  void poolStateChanged(spstudio::app::PoolState state, QVector<spstudio::app::WorkerInfo> workers);
  void workerFailed(spstudio::app::WorkerFailure failure);
  void workerOutput(int rank, QString line);
  void jobStarted(quint64 job_id);
  void previewUpdated(spstudio::gui::PreviewFrame frame);
  void stepFinished(spstudio::wire::StepDone step);
  void imageFinished(spstudio::gui::FinishedImage image);
  void jobFinished(spstudio::app::JobResult result);
  void referenceFinished(spstudio::gui::ReferenceResult result);
  void logReceived(int rank, QString text);
  void sweepProgressed(QString text);
  void sweepFinished(spstudio::bench::BenchRun run);
  void sweepFailed(QString error);
  void dryRunFinished(bool ok, QString message);

 private:
  QThread thread_;
  SessionCore* core_ = nullptr;  ///< lives in thread_
  bool replay_ = false;
  app::PoolState state_ = app::PoolState::Stopped;
  QVector<app::WorkerInfo> workers_;
  app::PoolOptions pool_options_;
};

}  // namespace spstudio::gui

Q_DECLARE_METATYPE(spstudio::gui::PreviewFrame)
Q_DECLARE_METATYPE(spstudio::gui::FinishedImage)
Q_DECLARE_METATYPE(spstudio::gui::ReferenceResult)
