// SPDX-License-Identifier: Apache-2.0
#include "pool_test_support.h"

#include <signal.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <cerrno>

namespace spstudio::app::testing {

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  QElapsedTimer clock;
  clock.start();
  QTimer tick;  // wakes WaitForMoreEvents at least every 5 ms
  tick.start(5);
  while (!done()) {
    if (clock.elapsed() > timeout.count()) return done();
    QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
  }
  return true;
}

void run_for(std::chrono::milliseconds duration) {
  QElapsedTimer clock;
  clock.start();
  wait_for([&] { return clock.elapsed() >= duration.count(); }, duration + 1s);
}

PoolOptions shell_pool_options(int world, const QString& script) {
  PoolOptions options;
  options.world = world;
  options.device = "cpu";
  options.worker_program = "/bin/sh";
  options.extra_worker_args = {"-c", script, "fake-spworker"};
  options.threads_per_worker = 1;
  return options;
}

bool process_exists(qint64 pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

FakeWorker::FakeWorker(const QString& socket_path) {
  connect(&socket_, &QLocalSocket::readyRead, this, [this] {
    const QByteArray bytes = socket_.readAll();
    try {
      decoder_.feed(reinterpret_cast<const std::uint8_t*>(bytes.constData()), bytes.size());
      while (auto message = decoder_.next())
        received_.push_back(std::move(*message));
    } catch (const wire::ProtocolError&) {
      closed_ = true;  // the supervisor never sends garbage; make the test see it
    }
  });
  connect(&socket_, &QLocalSocket::disconnected, this, [this] { closed_ = true; });
  connect(&socket_, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
    if (error == QLocalSocket::PeerClosedError || error == QLocalSocket::ServerNotFoundError ||
        error == QLocalSocket::ConnectionRefusedError)
      closed_ = true;
  });
  socket_.connectToServer(socket_path);
  wait_for([this] { return connected() || closed_; }, 2s);
}

void FakeWorker::send_bytes(const std::vector<std::uint8_t>& bytes) {
  socket_.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size()));
  socket_.flush();
}

void FakeWorker::send(const wire::Message& message) {
  send_bytes(wire::encode_frame(message));
}

void FakeWorker::send_hello(const std::string& token, std::uint32_t rank, std::uint32_t world, std::uint32_t version) {
  std::vector<std::uint8_t> bytes = wire::encode_preamble(version);
  wire::append_frame(bytes, wire::Hello{token, rank, world, "cpu (fake)", 1u << 30, 4242});
  send_bytes(bytes);
}

bool FakeWorker::handshake(const QString& token, std::uint32_t rank, std::uint32_t world) {
  send_hello(token.toStdString(), rank, world);
  wait_for([this] { return !received_.empty() || closed_; }, 3s);
  return !received_.empty() && std::holds_alternative<wire::Welcome>(received_.front());
}

std::string FakeWorker::reject_reason() const {
  for (const auto& m : received_)
    if (const auto* reject = std::get_if<wire::Reject>(&m)) return reject->reason;
  return "";
}

PoolEvents::PoolEvents(WorkerLink& pool) {
  QObject::connect(&pool, &WorkerLink::workerFailed, [this](const WorkerFailure& f) { failures.push_back(f); });
  if (auto* workers = qobject_cast<WorkerPool*>(&pool)) {
    QObject::connect(workers, &WorkerPool::clientRejected, [this](const QString& r) { rejections << r; });
  }
  QObject::connect(&pool, &WorkerLink::messageReceived, [this](const wire::Message& m) { messages.push_back(m); });
  QObject::connect(&pool, &WorkerLink::stateChanged, [this](PoolState s) { states.push_back(s); });
  QObject::connect(&pool, &WorkerLink::poolReady, [this] { ++ready; });
  QObject::connect(&pool, &WorkerLink::poolStopped, [this] { ++stopped; });
}

}  // namespace spstudio::app::testing
