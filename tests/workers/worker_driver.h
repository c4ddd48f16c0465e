// SPDX-License-Identifier: Apache-2.0
// A test driver for real spworker processes: a small AF_UNIX server that speaks the wire protocol
// through the real codec (preamble, Hello, Welcome/Reject, frames), starts workers with fork/exec,
// collects every frame they send, and reaps them. It plays the supervisor's part of the protocol;
// the workers under test are the real executable.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/wire/codec.h"

namespace spstudio::testing {

/// How a worker process ended.
struct ProcessExit {
  bool exited = false;  ///< false: still running at the deadline (then killed)
  int code = -1;        ///< exit status when it exited normally
  int signal = 0;       ///< the signal that ended it
  std::string describe() const;
};

/// One accepted worker connection.
struct WorkerLink {
  int fd = -1;
  wire::FrameDecoder decoder{wire::FrameDecoder::Options{true}};
  wire::Hello hello;
  bool open = false;
};

/// A frame received from a worker, with the rank of the connection it came on.
struct Received {
  int rank = 0;
  wire::Message message;
};

class WorkerDriver {
 public:
  WorkerDriver();   ///< a private temp folder and a listening socket in it
  ~WorkerDriver();  ///< kills and reaps every worker still running, removes the folder
  WorkerDriver(const WorkerDriver&) = delete;
  WorkerDriver& operator=(const WorkerDriver&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  const std::string& folder() const { return folder_; }

  /// Starts spworker with `args` and SPSTUDIO_SESSION_TOKEN=`token` (one intra-op thread);
  /// stdout and stderr go to <folder>/worker<index>.log. Returns the pid.
  pid_t spawn(const std::vector<std::string>& args, const std::string& token = "test-token");
  /// Starts ranks 0..world-1 (--socket, --rank, --world, --store-port on a free port, --threads 1).
  std::vector<pid_t> spawn_pool(int world, const std::vector<std::string>& extra = {});
  /// What worker `index` (spawn order) printed.
  std::string log(std::size_t index) const;
  /// Every worker's output tail, for failure messages.
  std::string logs_text();

  /// Accepts one connection and reads its preamble and Hello. Throws std::runtime_error on timeout
  /// or a malformed handshake.
  WorkerLink accept(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// Accepts `world` workers, answers each with Welcome, and returns them in rank order.
  std::vector<WorkerLink> accept_pool(int world);
  /// accept_pool, then waits for every rank's Ready (returned in rank order).
  std::vector<wire::Ready> start_pool(int world, std::vector<WorkerLink>& links);

  void send(WorkerLink& link, const wire::Message& message);
  void send_all(std::vector<WorkerLink>& links, const wire::Message& message);
  void close(WorkerLink& link);

  /// Reads frames from every open link (Heartbeats dropped) into `out` until `done(out)` holds.
  /// Throws std::runtime_error when `timeout` passes first, or a link closes or breaks the protocol.
  void collect(std::vector<WorkerLink>& links, std::vector<Received>& out,
               const std::function<bool(const std::vector<Received>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// Waits for `pid` to exit; kills it at the deadline.
  ProcessExit wait_exit(pid_t pid, std::chrono::milliseconds timeout);

  /// Runs spworker with `args` to the end; returns (exit, stdout), stderr in `error`.
  static ProcessExit run_to_end(const std::vector<std::string>& args, std::string& out, std::string& error);

 private:
  std::string folder_, socket_path_;
  int listen_fd_ = -1;
  std::vector<pid_t> children_;  // not yet reaped
  std::vector<pid_t> spawned_;   // every worker, in spawn order (-1 once reaped by logs_text)
};

/// A TCP port the kernel just handed out on 127.0.0.1 (for the workers' TCPStore).
int free_port();

/// Messages of type T from `received`, optionally only from `rank`.
template <typename T>
std::vector<T> messages_of(const std::vector<Received>& received, int rank = -1) {
  std::vector<T> out;
  for (const Received& r : received)
    if (rank < 0 || r.rank == rank)
      if (const T* m = std::get_if<T>(&r.message)) out.push_back(*m);
  return out;
}

}  // namespace spstudio::testing
