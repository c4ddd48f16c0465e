// SPDX-License-Identifier: Apache-2.0
// WorkerPool: spawn, handshake, forward, watch, tear down. Failures are collected for a short
// settle window before one is reported, because one dead rank makes its peers fail too (a Gloo
// collective with a vanished peer errors out): the report names the cause, not the cascade.
#include "app/session/worker_pool.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHostAddress>
#include <QLocalSocket>
#include <QPointer>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <stdexcept>

#include "app/session/failure_text.h"
#include "app/session/handshake.h"
#include "app/session/socket_dir.h"
#include "app/session/worker_listener.h"
#include "app/session/worker_process.h"
#include "common/wire/codec.h"
#include "common/wire/recording.h"

namespace spstudio::app {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kSettleWindow{300};      ///< collect the cascade before naming the cause
constexpr int kTerminateGraceMs = 200;          ///< SIGTERM → SIGKILL during a failure teardown
constexpr int kReapTimeoutMs = 3000;            ///< per process, after SIGKILL
constexpr milliseconds kDisconnectGrace{1000};  ///< socket closed: wait this long for the exit status

QString resolve_worker_program(const PoolOptions& options) {
  if (!options.worker_program.isEmpty()) return options.worker_program;
  const QString from_environment = qEnvironmentVariable("SPSTUDIO_WORKER");
  if (!from_environment.isEmpty()) return from_environment;
  // Next to this executable (bin/ in the build tree and in an install); needs the application object.
  if (!QCoreApplication::instance()) return "spworker";
  return QCoreApplication::applicationDirPath() + "/spworker";
}

int pick_free_tcp_port() {
  QTcpServer probe;
  if (!probe.listen(QHostAddress::LocalHost, 0)) {
    throw std::runtime_error("cannot find a free TCP port on 127.0.0.1 for the workers' rendezvous: " +
                             probe.errorString().toStdString());
  }
  const int port = probe.serverPort();
  probe.close();
  return port;
}

/// How likely a failure is to be the cause rather than a consequence (lower = more likely).
enum Priority { kKilledBySignal = 0, kHungOrBroken = 1, kExited = 2, kConsequence = 3 };

}  // namespace

struct WorkerPool::Impl {
  struct Worker {
    WorkerProcess* process = nullptr;
    QLocalSocket* socket = nullptr;
    std::unique_ptr<wire::FrameDecoder> decoder;
    WorkerInfo info;
    QElapsedTimer last_frame;
    QString last_error;
  };
  /// A failure seen during the settle window. The text is built when it is reported, so the
  /// worker's last Error and output that arrive just after its exit still make it in.
  struct Candidate {
    int rank = -1;
    int exit_code = -1, signal = 0;
    int priority = kExited;
    QString headline;
  };

  explicit Impl(WorkerPool* owner) : q(owner) {}

  WorkerPool* q;
  PoolOptions options;
  PoolState state = PoolState::Stopped;
  std::unique_ptr<PrivateSocketDir> dir;
  WorkerListener* listener = nullptr;
  QString token;
  std::vector<Worker> workers;
  QTimer* watchdog = nullptr;
  QTimer* start_timer = nullptr;
  std::vector<Candidate> candidates;
  bool failing = false;       ///< a failure is settling; frames are no longer forwarded
  bool tearing_down = false;  ///< processes end because we end them
  int generation = 0;         ///< bumped by every start/teardown; stale timers check it
  std::unique_ptr<wire::RecordingWriter> recording;
  QString recording_open_path;

  void set_state(PoolState next) {
    if (state == next) return;
    state = next;
    emit q->stateChanged(next);
  }
  bool running() const { return state == PoolState::Starting || state == PoolState::Ready; }

  QString describe(int rank) const {
    const qint64 pid = rank >= 0 && rank < static_cast<int>(workers.size()) ? workers[rank].info.pid : 0;
    return describe_worker(rank, pid);
  }

  // ---- start ----------------------------------------------------------------------------------
  void start(const PoolOptions& new_options) {
    options = new_options;
    options.world = std::max(1, options.world);
    ++generation;
    candidates.clear();
    failing = false;
    tearing_down = false;
    set_state(PoolState::Starting);
    try {
      spawn();
    } catch (const std::exception& e) {
      fail({-1, -1, 0, kExited, QString::fromStdString(e.what())}, /*settle=*/false);
    }
  }

  void spawn() {
    const QString program = resolve_worker_program(options);
    const QFileInfo program_info(program);
    if (!program_info.exists() || !program_info.isFile() || !program_info.isExecutable()) {
      throw std::runtime_error("the worker program " + program.toStdString() +
                               " does not exist or is not executable (build the spworker target, or "
                               "point SPSTUDIO_WORKER at it)");
    }
    open_recording();
    dir = std::make_unique<PrivateSocketDir>();
    token = make_session_token();
    listener = new WorkerListener(
        dir->socket_path(), options.handshake_timeout, [this](const wire::Hello& hello) { return check(hello); }, q);
    QObject::connect(listener, &WorkerListener::welcomed, q,
                     [this](QLocalSocket* socket, const wire::Hello& hello) { welcome(socket, hello); });
    QObject::connect(listener, &WorkerListener::rejected, q, &WorkerPool::clientRejected);
    const int store_port = pick_free_tcp_port();

    const int threads = options.threads_per_worker > 0 ? options.threads_per_worker
                                                       : std::max(1, QThread::idealThreadCount() / options.world);
    const auto heartbeat_ms = std::clamp<long long>(options.heartbeat_timeout.count() / 5, 50, 1000);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The token travels in the environment: other users can read command lines in /proc.
    environment.insert("SPSTUDIO_SESSION_TOKEN", token);
    environment.insert("OMP_NUM_THREADS", QString::number(threads));
    environment.insert("OPENBLAS_NUM_THREADS", QString::number(threads));

    workers.clear();
    workers.resize(options.world);
    const int this_generation = generation;
    for (int rank = 0; rank < options.world; ++rank) {
      auto* process = new WorkerProcess(rank, q);
      workers[rank].process = process;
      workers[rank].info.rank = rank;
      QObject::connect(process, &WorkerProcess::ended, q, [this](int r, int code, int sig) { on_ended(r, code, sig); });
      QObject::connect(process, &WorkerProcess::outputLine, q, &WorkerPool::workerOutput);
      QStringList arguments = options.extra_worker_args;
      arguments << "--socket" << dir->socket_path() << "--rank" << QString::number(rank) << "--world"
                << QString::number(options.world) << "--store-port" << QString::number(store_port) << "--device"
                << options.device << "--dtype" << options.dtype << "--threads" << QString::number(threads)
                << "--heartbeat-ms" << QString::number(heartbeat_ms);
      const QString error = process->start(program, arguments, environment);
      if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
      if (generation != this_generation) return;  // a slot stopped the pool meanwhile
      workers[rank].info.pid = process->pid();
    }

    start_timer = new QTimer(q);
    start_timer->setSingleShot(true);
    QObject::connect(start_timer, &QTimer::timeout, q, [this] { on_start_timeout(); });
    start_timer->start(options.start_timeout);
    watchdog = new QTimer(q);
    QObject::connect(watchdog, &QTimer::timeout, q, [this] { on_watchdog(); });
    watchdog->start(std::clamp<milliseconds>(options.heartbeat_timeout / 4, milliseconds(20), milliseconds(250)));
  }

  void open_recording() {
    if (options.recording_path.isEmpty() || (recording && recording_open_path == options.recording_path)) return;
    recording.reset();  // RecordingWriter throws a readable error naming the path
    recording = std::make_unique<wire::RecordingWriter>(options.recording_path.toStdString());
    recording_open_path = options.recording_path;
  }

  void record(const wire::Message& message) {
    if (!recording) return;
    try {
      recording->write(message);
    } catch (const std::exception& e) {
      qWarning("spstudio: recording stopped: %s", e.what());
      recording.reset();
    }
  }

  // ---- handshake ------------------------------------------------------------------------------
  std::optional<std::string> check(const wire::Hello& hello) const {
    if (!running()) return std::string("the pool is ") + to_string(state) + " and takes no workers";
    std::vector<bool> connected;
    for (const Worker& w : workers)
      connected.push_back(w.socket != nullptr);
    return check_hello(hello, token.toStdString(), options.world, connected);
  }

  void welcome(QLocalSocket* socket, const wire::Hello& hello) {
    socket->setParent(q);
    Worker& w = workers[hello.rank];
    w.socket = socket;
    w.decoder = std::make_unique<wire::FrameDecoder>();
    w.info.connected = true;
    w.info.device = QString::fromStdString(hello.device);
    w.info.memory_bytes = hello.memory_bytes;
    w.last_frame.start();
    const int rank = static_cast<int>(hello.rank);
    QObject::connect(socket, &QLocalSocket::readyRead, q, [this, rank] { on_worker_data(rank); });
    QObject::connect(socket, &QLocalSocket::disconnected, q, [this, rank] { on_worker_disconnected(rank); });
  }

  static void write(QLocalSocket* socket, const wire::Message& message) {
    const auto frame = wire::encode_frame(message);
    socket->write(reinterpret_cast<const char*>(frame.data()), static_cast<qint64>(frame.size()));
  }

  // ---- registered workers -----------------------------------------------------------------------
  void on_worker_data(int rank) {
    const int this_generation = generation;
    if (rank >= static_cast<int>(workers.size()) || !workers[rank].socket) return;
    const QByteArray bytes = workers[rank].socket->readAll();
    workers[rank].decoder->feed(reinterpret_cast<const std::uint8_t*>(bytes.constData()), bytes.size());
    // A slot of messageReceived may stop or restart the pool: re-check before every message.
    while (generation == this_generation && running() && workers[rank].decoder) {
      std::optional<wire::Message> message;
      try {
        message = workers[rank].decoder->next();
      } catch (const wire::ProtocolError& e) {
        fail({rank, -1, 0, kHungOrBroken, describe(rank) + " broke the protocol: " + e.what()});
        return;
      }
      if (!message) return;
      on_worker_message(rank, *message);
    }
  }

  void on_worker_message(int rank, const wire::Message& message) {
    Worker& w = workers[rank];
    w.last_frame.restart();
    const auto type = QString::fromStdString(wire::type_name(static_cast<std::uint16_t>(wire::type_of(message))));
    const auto named = sender_rank(message);
    if (!named) {
      fail({rank, -1, 0, kHungOrBroken,
            describe(rank) + " broke the protocol: it sent a " + type + ", which only the supervisor sends"});
      return;
    }
    if (*named != static_cast<std::uint32_t>(rank)) {
      fail({rank, -1, 0, kHungOrBroken,
            QString("%1 broke the protocol: it sent a %2 that names rank %3").arg(describe(rank), type).arg(*named)});
      return;
    }
    record(message);
    if (const auto* error = std::get_if<wire::Error>(&message)) {
      w.last_error = QString::fromStdString(error->message);
    }
    if (failing) return;  // the job is lost; the report comes from the settle window
    const bool became_ready = std::holds_alternative<wire::Ready>(message) && !w.info.ready;
    if (const auto* ready = std::get_if<wire::Ready>(&message)) {
      w.info.ready = true;
      if (!ready->device.empty()) w.info.device = QString::fromStdString(ready->device);
      w.info.backend = QString::fromStdString(ready->backend);
    }
    const int this_generation = generation;
    emit q->messageReceived(message);
    if (generation != this_generation) return;
    if (became_ready && state == PoolState::Starting &&
        std::all_of(workers.begin(), workers.end(), [](const Worker& x) { return x.info.ready; })) {
      start_timer->stop();
      set_state(PoolState::Ready);
      emit q->poolReady();
    }
  }

  void on_worker_disconnected(int rank) {
    if (!running() || tearing_down) return;
    // A dying process closes its socket first; its exit status (the better report) follows.
    const int this_generation = generation;
    QTimer::singleShot(kDisconnectGrace, q, [this, rank, this_generation] {
      if (generation != this_generation || !running()) return;
      if (workers[rank].process && workers[rank].process->has_ended()) return;
      fail({rank, -1, 0, kExited, describe(rank) + " closed its connection to the supervisor"});
    });
  }

  void on_ended(int rank, int exit_code, int signal) {
    if (tearing_down || !running()) return;
    int priority = signal != 0 ? kKilledBySignal : kExited;
    if (signal == 0 && (exit_code == static_cast<int>(wire::ExitCode::CommunicatorInit) ||
                        exit_code == static_cast<int>(wire::ExitCode::SupervisorLost))) {
      priority = kConsequence;  // lost a peer or us: most likely another rank's failure
    }
    fail({rank, exit_code, signal, priority, describe_process_end(rank, workers[rank].info.pid, exit_code, signal)});
  }

  void on_watchdog() {
    if (!running() || failing) return;
    if (recording) recording->flush();
    for (int rank = 0; rank < static_cast<int>(workers.size()); ++rank) {
      const Worker& w = workers[rank];
      if (w.socket && w.last_frame.isValid() && w.last_frame.elapsed() > options.heartbeat_timeout.count()) {
        fail(
            {rank, -1, 0, kHungOrBroken,
             describe(rank) + " stopped answering (no heartbeat for " + seconds_text(options.heartbeat_timeout) + ")"});
        return;
      }
    }
  }

  void on_start_timeout() {
    if (state != PoolState::Starting || failing) return;
    QStringList missing;
    for (int rank = 0; rank < static_cast<int>(workers.size()); ++rank) {
      if (!workers[rank].socket) {
        missing << QString("rank %1 never connected").arg(rank);
      } else if (!workers[rank].info.ready) {
        missing << QString("rank %1 connected but is not ready").arg(rank);
      }
    }
    fail({-1, -1, 0, kExited,
          QString("the workers did not become ready within %1: %2")
              .arg(seconds_text(options.start_timeout), missing.join("; "))});
  }

  // ---- failure and teardown ---------------------------------------------------------------------
  void fail(Candidate candidate, bool settle = true) {
    if (!running()) return;
    candidates.push_back(std::move(candidate));
    if (failing) return;
    failing = true;
    if (!settle) {
      report_failure();
      return;
    }
    const int this_generation = generation;
    QTimer::singleShot(kSettleWindow, q, [this, this_generation] {
      if (generation == this_generation && failing) report_failure();
    });
  }

  void report_failure() {
    // The most likely cause; among equals, the first seen.
    const auto best = std::min_element(candidates.begin(), candidates.end(),
                                       [](const Candidate& a, const Candidate& b) { return a.priority < b.priority; });
    WorkerFailure failure;
    failure.rank = best->rank;
    failure.exit_code = best->exit_code;
    failure.signal = best->signal;
    if (best->rank >= 0 && best->rank < static_cast<int>(workers.size())) {
      const Worker& w = workers[best->rank];
      failure.message =
          with_details(best->headline, w.last_error, w.process ? w.process->output_tail() : QStringList());
    } else {
      failure.message = best->headline;
    }
    teardown(/*graceful=*/false);
    set_state(PoolState::Failed);
    emit q->workerFailed(failure);
  }

  /// Ends every worker and closes every connection. graceful: Bye first and wait `grace`.
  void teardown(bool graceful, milliseconds grace = milliseconds(0)) {
    tearing_down = true;
    ++generation;
    failing = false;
    for (QTimer* timer : {watchdog, start_timer}) {
      if (timer) {
        timer->stop();
        timer->deleteLater();
      }
    }
    watchdog = start_timer = nullptr;
    std::vector<WorkerProcess*> processes;
    for (Worker& w : workers) {
      if (w.process) processes.push_back(w.process);
    }
    if (graceful) {
      for (int rank = 0; rank < static_cast<int>(workers.size()); ++rank) {
        QLocalSocket* socket = workers[rank].socket;
        if (!socket || socket->state() != QLocalSocket::ConnectedState) continue;
        write(socket, wire::Bye{static_cast<std::uint32_t>(rank), "the supervisor is shutting down"});
        socket->waitForBytesWritten(100);
      }
      end_processes(processes, grace.count());
    } else {
      // They may be stuck in a collective: a short SIGTERM grace, then SIGKILL.
      for (WorkerProcess* p : processes)
        p->terminate();
      end_processes(processes, kTerminateGraceMs);
    }
    // Keep each rank's info (pid, device) for whoever shows the failure; nothing is live any more.
    for (Worker& w : workers) {
      if (w.socket) close_socket(w.socket);
      if (w.process) {
        QObject::disconnect(w.process, nullptr, q, nullptr);
        w.process->deleteLater();
      }
      w.socket = nullptr;
      w.process = nullptr;
      w.decoder.reset();
      w.info.connected = w.info.ready = false;
    }
    if (listener) {
      QObject::disconnect(listener, nullptr, q, nullptr);
      listener->close();
      listener->deleteLater();
      listener = nullptr;
    }
    dir.reset();
    if (recording) recording->flush();
    tearing_down = false;
  }

  /// Waits up to `wait_ms` for all of them together, then kills and reaps the rest.
  static void end_processes(const std::vector<WorkerProcess*>& processes, qint64 wait_ms) {
    QDeadlineTimer deadline(wait_ms);
    for (WorkerProcess* p : processes)
      p->wait(static_cast<int>(std::max<qint64>(0, deadline.remainingTime())));
    for (WorkerProcess* p : processes) {
      if (p->running()) p->kill();
    }
    for (WorkerProcess* p : processes)
      p->wait(kReapTimeoutMs);
  }

  void close_socket(QLocalSocket* socket) {
    QObject::disconnect(socket, nullptr, q, nullptr);
    socket->abort();
    socket->deleteLater();
  }

  void stop(milliseconds grace) {
    if (state == PoolState::Stopped) return;
    if (state != PoolState::Failed) {
      set_state(PoolState::Stopping);
      teardown(/*graceful=*/true, grace);
    }
    set_state(PoolState::Stopped);
    emit q->poolStopped();
  }
};

WorkerPool::WorkerPool(QObject* parent) : WorkerLink(parent), impl_(std::make_unique<Impl>(this)) {
  register_session_metatypes();
}

WorkerPool::~WorkerPool() {
  // Stop without telling anyone: the receivers may be half destroyed themselves.
  blockSignals(true);
  impl_->stop(std::chrono::seconds(1));
}

void WorkerPool::start(const PoolOptions& options) {
  if (impl_->state == PoolState::Starting || impl_->state == PoolState::Ready) stop();
  impl_->start(options);
}

void WorkerPool::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}

void WorkerPool::restart() {
  const PoolOptions options = impl_->options;
  stop();
  impl_->start(options);
}

PoolState WorkerPool::state() const {
  return impl_->state;
}
int WorkerPool::world() const {
  return impl_->options.world;
}
const PoolOptions& WorkerPool::options() const {
  return impl_->options;
}

QVector<WorkerInfo> WorkerPool::workers() const {
  QVector<WorkerInfo> result;
  for (const auto& w : impl_->workers)
    result.push_back(w.info);
  return result;
}

bool WorkerPool::send_to_all(const wire::Message& message) {
  if (impl_->state != PoolState::Ready || impl_->failing) return false;
  const auto frame = wire::encode_frame(message);
  for (auto& w : impl_->workers) {
    if (w.socket) w.socket->write(reinterpret_cast<const char*>(frame.data()), static_cast<qint64>(frame.size()));
  }
  return true;
}

QString WorkerPool::socket_path() const {
  return impl_->dir ? impl_->dir->socket_path() : QString();
}
QString WorkerPool::token() const {
  return impl_->token;
}

}  // namespace spstudio::app
