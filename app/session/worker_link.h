// SPDX-License-Identifier: Apache-2.0
// What a Session needs from "the workers": a state, a world size, a way to send them a message,
// and the messages they send back. WorkerPool implements it with real spworker processes,
// ReplayPool with a recorded stream, so the GUI and its tests drive both the same way.
#pragma once

#include <QObject>
#include <QString>
#include <QVector>

#include "common/wire/messages.h"

namespace spstudio::app {

enum class PoolState { Stopped, Starting, Ready, Stopping, Failed };
const char* to_string(PoolState state);

struct WorkerInfo {
  int rank = 0;
  qint64 pid = 0;
  QString device;   ///< from Hello/Ready
  QString backend;  ///< from Ready: "gloo", "nccl", "local"
  quint64 memory_bytes = 0;
  bool connected = false, ready = false;
};

struct WorkerFailure {
  int rank = -1;       ///< -1: not one rank's fault (e.g. start timeout before any Hello)
  int exit_code = -1;  ///< when it exited; wire::ExitCode values are described
  int signal = 0;      ///< when a signal ended it
  QString message;     ///< one readable line: "rank 1 (pid 4242) was killed by signal 9 (SIGKILL)"
};

class WorkerLink : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;

  virtual PoolState state() const = 0;
  virtual int world() const = 0;
  /// One per rank; after a failure or stop they keep their pids (connected/ready false).
  virtual QVector<WorkerInfo> workers() const = 0;
  /// Sends to every worker (jobs, cancels). False when the pool is not Ready.
  virtual bool send_to_all(const wire::Message& message) = 0;
  /// Brings the workers back after a failure (or restarts them): Starting, then Ready or Failed.
  virtual void restart() = 0;

 signals:
  void poolReady();
  void poolStopped();
  void stateChanged(spstudio::app::PoolState state);
  void workerFailed(spstudio::app::WorkerFailure failure);
  /// Every frame received from a worker after its handshake (Hello/Welcome are not forwarded).
  void messageReceived(const spstudio::wire::Message& message);
};

/// Registers the value types of the pool's and the session's signals with Qt's meta-type system,
/// so queued (cross-thread) connections can carry them. WorkerPool and Session call it.
void register_session_metatypes();

}  // namespace spstudio::app

Q_DECLARE_METATYPE(spstudio::app::PoolState)
Q_DECLARE_METATYPE(spstudio::app::WorkerFailure)
Q_DECLARE_METATYPE(spstudio::wire::Message)
