// SPDX-License-Identifier: Apache-2.0
#include "connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace spstudio::workers {
namespace {

using Clock = std::chrono::steady_clock;

std::string system_error(int error) {
  return std::strerror(error);
}

/// CLOCK_MONOTONIC, the clock of sp::steady_now_ns (this file stays free of LibTorch).
std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

Connection::Connection(const std::string& path, std::chrono::milliseconds timeout) : path_(path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path)
    throw std::runtime_error("supervisor socket path '" + path + "' is longer than the " +
                             std::to_string(sizeof address.sun_path - 1) + " bytes a Unix socket path may have");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("cannot create a Unix socket: " + system_error(errno));
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return;
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    // The supervisor listens before it starts workers; a short retry covers a slow start only.
    if ((error != ENOENT && error != ECONNREFUSED && error != EAGAIN) || Clock::now() >= deadline)
      throw std::runtime_error("cannot connect to the supervisor socket '" + path + "': " + system_error(error));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Connection::~Connection() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // wakes the reader
  for (std::thread* t : {&heartbeat_, &writer_, &reader_})
    if (t->joinable()) t->join();
  if (fd_ >= 0) ::close(fd_);
}

void Connection::write_all(const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    // MSG_NOSIGNAL: a closed peer gives EPIPE here instead of killing the process with SIGPIPE.
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("writing to the supervisor failed: " + system_error(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

wire::Welcome Connection::handshake(const wire::Hello& hello, std::chrono::milliseconds timeout) {
  std::vector<std::uint8_t> bytes = wire::encode_preamble();
  wire::append_frame(bytes, hello);
  write_all(bytes);
  const auto deadline = Clock::now() + timeout;
  std::uint8_t buffer[4096];
  for (;;) {
    if (auto message = decoder_.next()) {
      if (auto* welcome = std::get_if<wire::Welcome>(&*message)) {
        if (welcome->protocol_version != wire::kProtocolVersion)
          throw wire::ProtocolError(wire::ProtocolError::Kind::VersionMismatch,
                                    "the supervisor speaks protocol version " +
                                        std::to_string(welcome->protocol_version) + ", this worker " +
                                        std::to_string(wire::kProtocolVersion),
                                    welcome->protocol_version);
        return *welcome;
      }
      if (auto* reject = std::get_if<wire::Reject>(&*message)) throw Rejected(reject->reason);
      throw wire::ProtocolError(wire::ProtocolError::Kind::Malformed,
                                "expected Welcome or Reject from the supervisor, got " +
                                    wire::type_name(static_cast<std::uint16_t>(wire::type_of(*message))));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      throw std::runtime_error("the supervisor did not answer the handshake within " + std::to_string(timeout.count()) +
                               " ms");
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
      throw std::runtime_error("waiting for the supervisor failed: " + system_error(errno));
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("the supervisor closed the connection during the handshake");
    decoder_.feed(buffer, static_cast<std::size_t>(n));
  }
}

void Connection::start(Handlers handlers) {
  handlers_ = std::move(handlers);
  writer_ = std::thread([this] { writer_loop(); });
  reader_ = std::thread([this] { reader_loop(); });
}

void Connection::start_heartbeat(std::uint32_t rank, std::chrono::milliseconds interval) {
  heartbeat_ = std::thread([this, rank, interval] { heartbeat_loop(rank, interval); });
}

void Connection::send(wire::Message message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (write_failed_) return;
    queue_.push_back(std::move(message));
  }
  queue_changed_.notify_all();
}

bool Connection::flush(std::chrono::milliseconds timeout) {
  if (!writer_.joinable()) {  // before start(): the caller's thread writes
    std::deque<wire::Message> pending;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending.swap(queue_);
    }
    try {
      for (const wire::Message& m : pending)
        write_all(wire::encode_frame(m));
    } catch (const std::exception&) {
      return false;
    }
    return true;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  return queue_changed_.wait_for(lock, timeout, [&] { return write_failed_ || (queue_.empty() && !writing_); }) &&
         !write_failed_;
}

void Connection::writer_loop() {
  for (;;) {
    wire::Message message;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      queue_changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, everything written
      message = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
    }
    std::string failure;
    try {
      write_all(wire::encode_frame(message));
    } catch (const std::exception& e) {
      failure = e.what();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      writing_ = false;
      if (!failure.empty()) {
        write_failed_ = true;
        queue_.clear();
      }
    }
    queue_changed_.notify_all();
    if (!failure.empty()) {
      if (handlers_.on_lost) handlers_.on_lost(failure);
      return;
    }
  }
}

void Connection::reader_loop() {
  std::uint8_t buffer[64 * 1024];
  for (;;) {
    try {
      while (auto message = decoder_.next()) {
        const wire::MessageType type = wire::type_of(*message);
        if (type != wire::MessageType::Job && type != wire::MessageType::ForwardJob &&
            type != wire::MessageType::Cancel && type != wire::MessageType::Bye) {
          handlers_.on_protocol_error("unexpected " + wire::type_name(static_cast<std::uint16_t>(type)) +
                                      " from the supervisor");
          return;
        }
        handlers_.on_message(std::move(*message));
      }
    } catch (const wire::ProtocolError& e) {
      handlers_.on_protocol_error(e.what());
      return;
    }
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    if (n == 0) {
      handlers_.on_lost("the supervisor closed the connection");
      return;
    }
    if (n < 0) {
      handlers_.on_lost("reading from the supervisor failed: " + system_error(errno));
      return;
    }
    decoder_.feed(buffer, static_cast<std::size_t>(n));
  }
}

void Connection::heartbeat_loop(std::uint32_t rank, std::chrono::milliseconds interval) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (queue_changed_.wait_for(lock, interval, [&] { return stopping_; })) return;
    if (write_failed_) return;
    queue_.push_back(wire::Heartbeat{rank, monotonic_ns()});
    queue_changed_.notify_all();
  }
}

}  // namespace spstudio::workers
