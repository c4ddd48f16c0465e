// SPDX-License-Identifier: Apache-2.0
// The supervisor's listening socket and the handshake of every connection on it: preamble and Hello
// within a deadline, decoded with a small frame cap (a stranger cannot make it allocate), checked by
// the pool, then Welcome — or Reject with the reason and a closed connection. A refused client never
// disturbs the pool.
#pragma once

#include <QLocalSocket>
#include <QObject>
#include <QString>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/wire/codec.h"
#include "common/wire/messages.h"

class QLocalServer;
class QTimer;

namespace spstudio::app {

class WorkerListener : public QObject {
  Q_OBJECT
 public:
  /// The reason to refuse a Hello, or nullopt to welcome it.
  using HelloCheck = std::function<std::optional<std::string>(const wire::Hello&)>;

  /// Listens on `socket_path` (owner-only access); throws std::runtime_error naming the path when
  /// it cannot.
  WorkerListener(const QString& socket_path, std::chrono::milliseconds handshake_timeout, HelloCheck check,
                 QObject* parent = nullptr);
  ~WorkerListener() override;

  /// Stops listening and drops the connections still in their handshake (without signals).
  void close();

 signals:
  /// Welcome has been sent. The receiver takes `socket` (re-parent it); the listener has let go of it.
  void welcomed(QLocalSocket* socket, spstudio::wire::Hello hello);
  void rejected(QString reason);

 private:
  struct Pending {
    wire::FrameDecoder decoder;
    QTimer* timer = nullptr;
  };
  void accept_connections();
  void on_data(QLocalSocket* socket);
  void on_closed(QLocalSocket* socket);
  void forget(QLocalSocket* socket);
  void reject(QLocalSocket* socket, const std::string& reason);

  QLocalServer* server_;
  std::chrono::milliseconds handshake_timeout_;
  HelloCheck check_;
  std::map<QLocalSocket*, Pending> pending_;
};

/// "5 s", "0.3 s".
QString seconds_text(std::chrono::milliseconds duration);

}  // namespace spstudio::app
