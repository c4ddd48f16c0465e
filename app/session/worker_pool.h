// SPDX-License-Identifier: Apache-2.0
// The supervisor (DESIGN.md "Processes"): owns the spworker processes of one pool. It listens on a
// QLocalServer in a private 0700 directory, starts one QProcess per rank with a random session
// token in its environment, completes the handshake (magic, version, token → Welcome or Reject
// with a reason), forwards every frame the workers send, and watches them: a worker that exits,
// crashes, breaks the protocol or stops sending heartbeats fails the whole pool — every other
// worker is killed (no orphans, no rank left hanging in a collective) and workerFailed says which
// rank and why. The pool can then be restarted; the Session above it survives.
#pragma once

#include <QString>
#include <QStringList>
#include <chrono>
#include <memory>

#include "app/session/worker_link.h"
#include "common/wire/messages.h"

namespace spstudio::app {

struct PoolOptions {
  int world = 1;               ///< worker processes (= Ulysses degree × ring degree of the jobs)
  QString device = "auto";     ///< auto | cpu | cuda
  QString dtype = "auto";      ///< auto | float32 | bfloat16 | float16 (spworker --dtype)
  QString worker_program;      ///< empty: $SPSTUDIO_WORKER, else spworker next to this executable
  int threads_per_worker = 0;  ///< intra-op threads; 0: the machine's cores / world (at least 1)
  std::chrono::milliseconds start_timeout{std::chrono::seconds(60)};      ///< spawn → all Ready
  std::chrono::milliseconds heartbeat_timeout{std::chrono::seconds(10)};  ///< silence → hung
  QString recording_path;  ///< non-empty: append every received frame there (wire/recording.h)
  /// Put before the standard arguments (--socket, --rank, ...), so a wrapper such as
  /// `sh -c 'exec prog'` or `env VAR=1 prog` works as worker_program.
  QStringList extra_worker_args;
  /// A connection must send its preamble and Hello within this time, or it is dropped.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(5)};
};

class WorkerPool : public WorkerLink {
  Q_OBJECT
 public:
  explicit WorkerPool(QObject* parent = nullptr);
  ~WorkerPool() override;  ///< stops the pool: Bye, a short wait, then kill

  /// Starts `options.world` workers; poolReady or workerFailed follows.
  void start(const PoolOptions& options);
  /// Orderly shutdown: Bye to every worker, wait up to `grace`, then kill. Synchronous: the
  /// processes are gone and poolStopped has been emitted when it returns.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));
  /// stop() then start() with the last options.
  void restart() override;

  PoolState state() const override;
  /// options().world: the workers started (or to be started).
  int world() const override;
  const PoolOptions& options() const;
  /// One per rank; after a failure or stop they keep their pids (connected/ready false).
  QVector<WorkerInfo> workers() const override;
  /// Sends to every connected worker (jobs, cancels). False when the pool is not Ready.
  bool send_to_all(const wire::Message& message) override;
  /// The private socket directory (tests connect fake clients to socket_path()).
  QString socket_path() const;
  QString token() const;

 signals:
  // poolReady, poolStopped, stateChanged, workerFailed and messageReceived come from WorkerLink.
  /// A client was refused at the handshake (wrong token, protocol version, garbage): the reason.
  void clientRejected(QString reason);
  /// A line a worker printed (stdout or stderr); the last lines also go into failure messages.
  void workerOutput(int rank, QString line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spstudio::app
