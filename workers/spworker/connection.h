// SPDX-License-Identifier: Apache-2.0
// The worker's end of its supervisor connection (DESIGN.md "Wire protocol"): an AF_UNIX stream
// socket, the handshake, a writer thread draining a queue of messages (the compute thread never
// blocks on the socket), a reader thread decoding control messages while the compute thread runs,
// and the heartbeat thread. Pure C++ over the wire codec.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/wire/codec.h"
#include "common/wire/messages.h"

namespace spstudio::workers {

class Connection {
 public:
  /// What the reader and writer threads report. on_lost and on_protocol_error must not return
  /// (the worker exits): the threads stop reading and writing after calling them.
  struct Handlers {
    std::function<void(wire::Message)> on_message;                  ///< Job, ForwardJob, Cancel, Bye
    std::function<void(const std::string& why)> on_lost;            ///< EOF or a failed write
    std::function<void(const std::string& why)> on_protocol_error;  ///< malformed or unexpected frame
  };

  /// Connects to the supervisor's socket at `path`, retrying for up to `timeout` while it does not
  /// exist yet or refuses. Throws std::runtime_error naming the path and the system error.
  Connection(const std::string& path, std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Sends the preamble and `hello`, then waits up to `timeout` for the answer. Returns the
  /// Welcome; throws Rejected with the supervisor's reason, wire::ProtocolError for a bad answer,
  /// std::runtime_error when the connection closes or the time passes.
  wire::Welcome handshake(const wire::Hello& hello, std::chrono::milliseconds timeout);

  struct Rejected : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  /// Starts the reader and writer threads (after the handshake).
  void start(Handlers handlers);
  /// Starts sending a Heartbeat every `interval` (after start()).
  void start_heartbeat(std::uint32_t rank, std::chrono::milliseconds interval);

  /// Queues a message for the writer thread; returns at once.
  void send(wire::Message message);
  /// Waits until every queued message has been written, at most `timeout`. False when it timed out
  /// or the socket failed. Without a writer thread (before start()), writes directly.
  bool flush(std::chrono::milliseconds timeout);

 private:
  void write_all(const std::vector<std::uint8_t>& bytes);  // throws std::runtime_error
  void reader_loop();
  void writer_loop();
  void heartbeat_loop(std::uint32_t rank, std::chrono::milliseconds interval);

  int fd_ = -1;
  std::string path_;
  wire::FrameDecoder decoder_;  // the handshake's leftover bytes carry over to the reader
  Handlers handlers_;

  std::mutex mutex_;
  std::condition_variable queue_changed_;
  std::deque<wire::Message> queue_;
  bool writing_ = false;  // the writer holds a message taken from the queue
  bool write_failed_ = false;
  bool stopping_ = false;

  std::thread reader_, writer_, heartbeat_;
};

}  // namespace spstudio::workers
