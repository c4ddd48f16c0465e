// SPDX-License-Identifier: Apache-2.0
#include "app/session/worker_listener.h"

#include <QLocalServer>
#include <QTimer>
#include <stdexcept>

#include "app/session/handshake.h"

namespace spstudio::app {

namespace {
constexpr std::uint32_t kHandshakeFrameCap = 64u << 10;  ///< a Hello is small; strangers get no more

void write_frame(QLocalSocket* socket, const wire::Message& message) {
  const auto frame = wire::encode_frame(message);
  socket->write(reinterpret_cast<const char*>(frame.data()), static_cast<qint64>(frame.size()));
}
}  // namespace

QString seconds_text(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return QString("%1 s").arg(duration.count() / 1000);
  return QString("%1 s").arg(static_cast<double>(duration.count()) / 1000.0, 0, 'g', 3);
}

WorkerListener::WorkerListener(const QString& socket_path, std::chrono::milliseconds handshake_timeout,
                               HelloCheck check, QObject* parent)
    : QObject(parent),
      server_(new QLocalServer(this)),
      handshake_timeout_(handshake_timeout),
      check_(std::move(check)) {
  server_->setSocketOptions(QLocalServer::UserAccessOption);
  if (!server_->listen(socket_path)) {
    throw std::runtime_error("the supervisor cannot listen on " + socket_path.toStdString() + ": " +
                             server_->errorString().toStdString());
  }
  connect(server_, &QLocalServer::newConnection, this, &WorkerListener::accept_connections);
}

WorkerListener::~WorkerListener() {
  close();
}

void WorkerListener::close() {
  server_->close();
  while (!pending_.empty()) {
    QLocalSocket* socket = pending_.begin()->first;
    forget(socket);
    socket->abort();
    socket->deleteLater();
  }
}

void WorkerListener::accept_connections() {
  while (QLocalSocket* socket = server_->nextPendingConnection()) {
    Pending& entry =
        pending_.emplace(socket, Pending{wire::FrameDecoder({/*expect_preamble=*/true, kHandshakeFrameCap}), nullptr})
            .first->second;
    entry.timer = new QTimer(socket);
    entry.timer->setSingleShot(true);
    connect(entry.timer, &QTimer::timeout, this, [this, socket] {
      reject(socket, "no handshake within " + seconds_text(handshake_timeout_).toStdString() +
                         ": a worker must send the SPSTUDIO preamble and its Hello at once");
    });
    entry.timer->start(handshake_timeout_);
    connect(socket, &QLocalSocket::readyRead, this, [this, socket] { on_data(socket); });
    connect(socket, &QLocalSocket::disconnected, this, [this, socket] { on_closed(socket); });
    if (socket->bytesAvailable() > 0) on_data(socket);
  }
}

void WorkerListener::on_data(QLocalSocket* socket) {
  auto it = pending_.find(socket);
  if (it == pending_.end()) return;
  const QByteArray bytes = socket->readAll();
  std::optional<wire::Message> message;
  try {
    it->second.decoder.feed(reinterpret_cast<const std::uint8_t*>(bytes.constData()), bytes.size());
    message = it->second.decoder.next();
  } catch (const wire::ProtocolError& e) {
    reject(socket, describe_handshake_error(e));
    return;
  }
  if (!message) return;
  const auto* hello = std::get_if<wire::Hello>(&*message);
  if (!hello) {
    reject(socket, "expected Hello as the first message, got " +
                       wire::type_name(static_cast<std::uint16_t>(wire::type_of(*message))));
    return;
  }
  // A worker waits for Welcome before it sends anything else.
  if (it->second.decoder.buffered() > 0) {
    reject(socket, "the worker sent data after its Hello without waiting for Welcome");
    return;
  }
  if (auto reason = check_(*hello)) {
    reject(socket, *reason);
    return;
  }
  forget(socket);
  socket->setParent(nullptr);
  write_frame(socket, wire::Welcome{wire::kProtocolVersion});
  emit welcomed(socket, *hello);
}

void WorkerListener::on_closed(QLocalSocket* socket) {
  if (pending_.count(socket) == 0) return;
  on_data(socket);  // bytes that arrived with the close
  auto it = pending_.find(socket);
  if (it == pending_.end()) return;
  const auto received = it->second.decoder.offset() + it->second.decoder.buffered();
  reject(socket, "the client closed the connection before completing the handshake (after " + std::to_string(received) +
                     " bytes)");
}

void WorkerListener::forget(QLocalSocket* socket) {
  auto it = pending_.find(socket);
  if (it != pending_.end()) {
    it->second.timer->stop();
    disconnect(it->second.timer, nullptr, this, nullptr);
    pending_.erase(it);
  }
  disconnect(socket, nullptr, this, nullptr);
}

void WorkerListener::reject(QLocalSocket* socket, const std::string& reason) {
  forget(socket);
  if (socket->state() == QLocalSocket::ConnectedState) {
    write_frame(socket, wire::Reject{reason});
    socket->flush();
    socket->disconnectFromServer();  // after the Reject is written
  }
  socket->deleteLater();
  emit rejected(QString::fromStdString(reason));
}

}  // namespace spstudio::app
