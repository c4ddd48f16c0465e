// SPDX-License-Identifier: Apache-2.0
#include "worker_session.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "connection.h"
#include "device.h"
#include "forward_runner.h"
#include "job_runner.h"
#include "worker_context.h"

namespace spstudio::workers {
namespace {

using std::chrono::milliseconds;

/// One line on stderr, "spworker rank N: <message>" (multi-line messages joined with "; ").
void print_line(int rank, std::string message) {
  for (std::size_t i = message.find('\n'); i != std::string::npos; i = message.find('\n', i))
    message.replace(i, 1, "; ");
  std::fprintf(stderr, "spworker rank %d: %s\n", rank, message.c_str());
  std::fflush(stderr);
}

/// Ends the process at once from any thread: other threads may be blocked in a collective or on
/// the socket, so no destructors run.
[[noreturn]] void exit_now(wire::ExitCode code) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(static_cast<int>(code));
}

/// Reports a fatal error (stderr, and an Error to the supervisor unless already sent), then exits.
[[noreturn]] void fail(Connection* connection, int rank, wire::ExitCode code, const std::string& message,
                       bool send_error = true) {
  print_line(rank, message);
  if (connection) {
    if (send_error) connection->send(wire::Error{static_cast<std::uint32_t>(rank), 0, code, message});
    connection->flush(milliseconds(2000));
  }
  exit_now(code);
}

}  // namespace

void serve(const WorkerArgs& args) {
  const int rank = args.rank;
  // No worker outlives its supervisor, even when the supervisor is killed without a word.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::signal(SIGPIPE, SIG_IGN);  // a closed socket is an error return, not a signal
  const char* token = std::getenv("SPSTUDIO_SESSION_TOKEN");
  if (!token || !*token)
    fail(nullptr, rank, wire::ExitCode::BadArguments,
         "the session token is missing: the supervisor passes it in SPSTUDIO_SESSION_TOKEN");

  std::optional<WorkerError> device_failure;  // reported once connected
  DeviceChoice device;
  try {
    device = choose_device(args.device, rank, args.world, args.threads);
  } catch (const WorkerError& e) {
    device_failure = e;
    device.name = "unavailable";
  }

  std::unique_ptr<Connection> connection;
  try {
    connection = std::make_unique<Connection>(args.socket_path, milliseconds(5000));
    wire::Hello hello;
    hello.token = token;
    hello.rank = static_cast<std::uint32_t>(rank);
    hello.world = static_cast<std::uint32_t>(args.world);
    hello.device = device.name;
    hello.memory_bytes = device.memory_bytes;
    hello.pid = static_cast<std::uint32_t>(::getpid());
    connection->handshake(hello, milliseconds(args.rendezvous_timeout_ms));
  } catch (const Connection::Rejected& e) {
    fail(nullptr, rank, wire::ExitCode::ProtocolError, std::string("the supervisor rejected this worker: ") + e.what());
  } catch (const wire::ProtocolError& e) {
    fail(nullptr, rank, wire::ExitCode::ProtocolError, std::string("handshake failed: ") + e.what());
  } catch (const std::exception& e) {
    fail(nullptr, rank, wire::ExitCode::SupervisorLost, e.what());
  }
  Connection* c = connection.get();

  JobControl control;
  Connection::Handlers handlers;
  handlers.on_message = [&control, c, rank](wire::Message message) {
    if (auto* job = std::get_if<wire::Job>(&message)) return control.push(std::move(*job));
    if (auto* forward = std::get_if<wire::ForwardJob>(&message)) return control.push(std::move(*forward));
    if (auto* cancel = std::get_if<wire::Cancel>(&message)) return control.cancel(*cancel);
    if (std::holds_alternative<wire::Bye>(message)) {  // finish nothing more
      c->send(wire::Bye{static_cast<std::uint32_t>(rank), "the supervisor said goodbye"});
      c->flush(milliseconds(2000));
      exit_now(wire::ExitCode::Ok);
    }
  };
  handlers.on_lost = [rank](const std::string& why) {
    print_line(rank, "lost the supervisor (" + why + "); exiting");
    exit_now(wire::ExitCode::SupervisorLost);
  };
  handlers.on_protocol_error = [c, rank](const std::string& why) {
    fail(c, rank, wire::ExitCode::ProtocolError, "protocol error from the supervisor: " + why);
  };
  c->start(std::move(handlers));
  c->start_heartbeat(static_cast<std::uint32_t>(rank), milliseconds(args.heartbeat_ms));

  if (device_failure) fail(c, rank, device_failure->code(), device_failure->what());
  std::unique_ptr<WorkerGroups> groups;
  try {
    activate_device(device);
    if (!device.note.empty()) c->send(wire::Log{static_cast<std::uint32_t>(rank), wire::LogLevel::Info, device.note});
    groups = std::make_unique<WorkerGroups>(rank, args.world, args.store_port, milliseconds(args.rendezvous_timeout_ms),
                                            milliseconds(args.collective_timeout_ms), device.backend,
                                            device.device.is_cuda() ? device.device.index() : -1);
  } catch (...) {
    const WorkerError e = classify_failure(std::current_exception(), wire::ExitCode::CommunicatorInit);
    fail(c, rank, e.code(), e.what());
  }
  ModelCache models(device.device, resolve_dtype(args.dtype, device.device));
  c->send(wire::Ready{static_cast<std::uint32_t>(rank), static_cast<std::uint32_t>(args.world), groups->backend(),
                      device.name, static_cast<std::uint32_t>(device.intra_op_threads)});
  c->send(wire::Log{
      static_cast<std::uint32_t>(rank), wire::LogLevel::Info,
      "weights and activations in " + dtype_name(models.dtype()) + " (--dtype " + to_string(args.dtype) + ")"});

  WorkerContext context{*c, control, *groups, models, device, static_cast<std::uint32_t>(rank)};
  for (;;) {
    std::optional<WorkItem> item = control.wait_next();
    if (!item) exit_now(wire::ExitCode::Ok);
    try {
      if (auto* job = std::get_if<wire::Job>(&*item))
        run_job(context, *job);
      else
        run_forward(context, std::get<wire::ForwardJob>(*item));
    } catch (const ReportedFatalError& e) {
      fail(c, rank, e.code(), e.what(), /*send_error=*/false);
    } catch (...) {
      const WorkerError e = classify_failure(std::current_exception(), wire::ExitCode::Internal);
      fail(c, rank, e.code(), e.what());
    }
  }
}

}  // namespace spstudio::workers
