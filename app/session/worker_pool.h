// SPDX-License-Identifier: Apache-2.0
// The supervisor (DESIGN.md "Processes"): owns the spworker processes of one pool. It listens on a
// QLocalServer in a private 0700 directory, starts one QProcess per rank with a random session
// token in its environment, completes the handshake (magic, version, token → Welcome or Reject
// with a reason), forwards every frame the workers send, and watches them: a worker that exits,
// crashes, breaks the protocol or stops sending heartbeats fails the whole pool — every other
// worker is killed (no orphans, no rank left hanging in a collective) and workerFailed says which
// rank and why. The pool can then be restarted; the Session above it survives.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <chrono>
#include <memory>

#include "common/wire/messages.h"

namespace spstudio::app {

struct PoolOptions {
  int world = 1;               ///< worker processes (= Ulysses degree × ring degree of the jobs)
  QString device = "auto";     ///< auto | cpu | cuda
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

enum class PoolState { Stopped, Starting, Ready, Stopping, Failed };
const char* to_string(PoolState state);

struct WorkerInfo {
  int rank = 0;
  qint64 pid = 0;
  QString device;  ///< from Hello/Ready
  quint64 memory_bytes = 0;
  bool connected = false, ready = false;
};

struct WorkerFailure {
  int rank = -1;       ///< -1: not one rank's fault (e.g. start timeout before any Hello)
  int exit_code = -1;  ///< when it exited; wire::ExitCode values are described
  int signal = 0;      ///< when a signal ended it
  QString message;     ///< one readable line: "rank 1 (pid 4242) was killed by signal 9 (SIGKILL)"
};

class WorkerPool : public QObject {
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
  void restart();

  PoolState state() const;
  const PoolOptions& options() const;
  /// One per rank; after a failure or stop they keep their pids (connected/ready false).
  QVector<WorkerInfo> workers() const;
  /// Sends to every connected worker (jobs, cancels). False when the pool is not Ready.
  bool send_to_all(const wire::Message& message);
  /// The private socket directory (tests connect fake clients to socket_path()).
  QString socket_path() const;
  QString token() const;

 signals:
  void poolReady();
  void poolStopped();
  void stateChanged(spstudio::app::PoolState state);
  void workerFailed(spstudio::app::WorkerFailure failure);
  /// Every frame received from a worker after its handshake (Hello/Welcome are not forwarded).
  void messageReceived(const spstudio::wire::Message& message);
  /// A client was refused at the handshake (wrong token, protocol version, garbage): the reason.
  void clientRejected(QString reason);
  /// A line a worker printed (stdout or stderr); the last lines also go into failure messages.
  void workerOutput(int rank, QString line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Registers the value types of the pool's and the session's signals with Qt's meta-type system,
/// so queued (cross-thread) connections can carry them. WorkerPool and Session call it.
void register_session_metatypes();

}  // namespace spstudio::app

Q_DECLARE_METATYPE(spstudio::app::PoolState)
Q_DECLARE_METATYPE(spstudio::app::WorkerFailure)
Q_DECLARE_METATYPE(spstudio::wire::Message)
