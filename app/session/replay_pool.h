// SPDX-License-Identifier: Apache-2.0
// A worker pool that plays back a recorded stream (wire/recording.h, written by WorkerPool's
// recording_path or `spstudio-cli generate --record`) instead of running workers: DESIGN.md "a
// recorded stream replays into the GUI without workers" — for demos and tests without GPUs.
//
// start() reads the whole recording; the pool's world, devices and backend come from the recorded
// Hello/Ready messages, and it becomes Ready. Each Job sent to it plays the next recorded job
// (in the order the recording first mentions their job ids; after the last it starts over) with
// the job id rewritten to the one sent, paced by the recorded step times divided by `speed`.
// A Cancel Now ends the playback at the next step boundary with every rank's JobDone(Cancelled);
// AfterImage ends it after the image in progress. A recording that ends inside a job fails the
// pool when playback reaches that point, as a worker that died there would.
#pragma once

#include <QString>
#include <memory>

#include "app/session/worker_link.h"

namespace spstudio::app {

struct ReplayOptions {
  QString path;
  /// Playback speed relative to the recording: 2 = twice as fast; 0 = as fast as the event loop
  /// goes (still one message per event-loop turn, so the GUI updates between them).
  double speed = 1.0;
};

class ReplayPool : public WorkerLink {
  Q_OBJECT
 public:
  explicit ReplayPool(QObject* parent = nullptr);
  ~ReplayPool() override;

  /// Reads the recording. A recording that cannot be read, or has no Hello or no job, fails the
  /// pool (workerFailed, rank -1) with the reader's message (path and offset).
  void start(const ReplayOptions& options);
  void stop();
  /// Starts again from the first recorded job.
  void restart() override;

  PoolState state() const override;
  int world() const override;
  QVector<WorkerInfo> workers() const override;
  /// Job: queues its playback; Cancel: as above; ForwardJob: fails (every rank's JobDone(Failed)
  /// after an Error saying why: a recording has no forward runs); anything else is accepted and
  /// ignored. False when the pool is not Ready.
  bool send_to_all(const wire::Message& message) override;

  int recorded_jobs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spstudio::app
