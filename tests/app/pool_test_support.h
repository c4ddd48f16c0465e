// SPDX-License-Identifier: Apache-2.0
// Helpers for the supervisor tests: waiting on the event loop, a fake worker that speaks the wire
// protocol over a QLocalSocket (in this process), stand-in worker programs built from /bin/sh, and
// a recorder for the pool's signals.
#pragma once

#include <QLocalSocket>
#include <QObject>
#include <QString>
#include <QStringList>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "app/session/worker_pool.h"
#include "common/wire/codec.h"

namespace spstudio::app::testing {

using namespace std::chrono_literals;

/// Runs the event loop until `done()` or `timeout`; returns done().
bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s);

/// Runs the event loop for `duration` (to show that something does NOT happen).
void run_for(std::chrono::milliseconds duration);

/// Options for a pool whose "workers" are `sh -c SCRIPT` (the script sees the standard worker
/// arguments as $1.. : $1=--socket $2=PATH $3=--rank $4=R ...). The default waits on its stdin (a
/// pipe the pool keeps open) without starting a child that could outlive it: the test's fake
/// workers connect in its place.
PoolOptions shell_pool_options(int world, const QString& script = "read -r line");

/// True while a process with this pid exists (kill(pid, 0)); false once it is gone and reaped.
bool process_exists(qint64 pid);

/// A worker played by the test: connects, speaks the codec, collects what the supervisor sends.
class FakeWorker : public QObject {
  Q_OBJECT
 public:
  explicit FakeWorker(const QString& socket_path);
  bool connected() const { return socket_.state() == QLocalSocket::ConnectedState; }
  bool closed() const { return closed_; }

  void send_bytes(const std::vector<std::uint8_t>& bytes);
  void send(const wire::Message& message);
  void send_hello(const std::string& token, std::uint32_t rank, std::uint32_t world,
                  std::uint32_t version = wire::kProtocolVersion);
  /// Preamble + Hello, then waits for Welcome; true when welcomed.
  bool handshake(const QString& token, std::uint32_t rank, std::uint32_t world);
  void close() { socket_.abort(); }

  const std::vector<wire::Message>& received() const { return received_; }
  template <typename T>
  std::vector<T> received_of() const {
    std::vector<T> out;
    for (const auto& m : received_)
      if (const T* t = std::get_if<T>(&m)) out.push_back(*t);
    return out;
  }
  /// The reason of the Reject received, or "" when none.
  std::string reject_reason() const;

 private:
  QLocalSocket socket_;
  wire::FrameDecoder decoder_;
  std::vector<wire::Message> received_;
  bool closed_ = false;
};

/// Everything a pool signalled, in order (rejections: a WorkerPool's only).
struct PoolEvents {
  explicit PoolEvents(WorkerLink& pool);
  std::vector<WorkerFailure> failures;
  QStringList rejections;
  std::vector<wire::Message> messages;
  std::vector<PoolState> states;
  int ready = 0, stopped = 0;
};

}  // namespace spstudio::app::testing
