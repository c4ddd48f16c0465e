// SPDX-License-Identifier: Apache-2.0
#include "worker_driver.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace spstudio::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// fork + exec of `program` with `args`, extra environment entries, stdout/stderr to files.
pid_t start_process(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                    const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> env_strings = extra_env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    const bool overridden = std::any_of(extra_env.begin(), extra_env.end(),
                                        [&](const std::string& x) { return x.rfind(name + "=", 0) == 0; });
    if (!overridden) env_strings.push_back(entry);
  }
  std::vector<char*> argv, envp;
  argv.push_back(const_cast<char*>(SPSTUDIO_SPWORKER_BIN));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env_strings)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = err_path == out_path ? out : ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) ::dup2(out, 1);
    if (err >= 0) ::dup2(err, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

ProcessExit reap(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  ProcessExit e;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      e.exited = true;
      if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
      return e;
    }
    if (r < 0) return e;
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return e;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string ProcessExit::describe() const {
  if (!exited) return "still running at the deadline (killed)";
  if (signal) return "killed by signal " + std::to_string(signal);
  return "exited with code " + std::to_string(code);
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind failed");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

WorkerDriver::WorkerDriver() {
  std::string pattern = (std::filesystem::temp_directory_path() / "spworker-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  folder_ = pattern;
  socket_path_ = folder_ + "/supervisor.sock";
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path_.c_str(), sizeof address.sun_path - 1);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("cannot listen on " + socket_path_ + ": " + std::strerror(errno));
}

WorkerDriver::~WorkerDriver() {
  for (const pid_t pid : children_) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  ::close(listen_fd_);
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

pid_t WorkerDriver::spawn(const std::vector<std::string>& args, const std::string& token) {
  const std::string log_path = folder_ + "/worker" + std::to_string(spawned_.size()) + ".log";
  const pid_t pid = start_process(
      args, {"SPSTUDIO_SESSION_TOKEN=" + token, "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1"}, log_path, log_path);
  children_.push_back(pid);
  spawned_.push_back(pid);
  return pid;
}

std::vector<pid_t> WorkerDriver::spawn_pool(int world, const std::vector<std::string>& extra) {
  const std::string port = std::to_string(free_port());
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world; ++rank) {
    std::vector<std::string> args = {
        "--socket", socket_path_, "--rank", std::to_string(rank), "--world", std::to_string(world), "--store-port",
        port,       "--threads",  "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    pids.push_back(spawn(args));
  }
  return pids;
}

std::string WorkerDriver::log(std::size_t index) const {
  return read_file(folder_ + "/worker" + std::to_string(index) + ".log");
}

std::string WorkerDriver::logs_text() {
  std::string text;
  for (std::size_t i = 0; std::filesystem::exists(folder_ + "/worker" + std::to_string(i) + ".log"); ++i) {
    const std::string l = log(i);
    int status = 0;
    const pid_t pid = i < spawned_.size() ? spawned_[i] : -1;
    std::string how;
    if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid) {
      how = WIFSIGNALED(status) ? " (killed by signal " + std::to_string(WTERMSIG(status)) + ")"
                                : " (exited with code " + std::to_string(WEXITSTATUS(status)) + ")";
      spawned_[i] = -1;
      children_.erase(std::remove(children_.begin(), children_.end(), pid), children_.end());
    }
    text += "\n--- worker " + std::to_string(i) + how + " output (last 2000 bytes):\n" +
            l.substr(l.size() > 2000 ? l.size() - 2000 : 0);
  }
  return text;
}

WorkerLink WorkerDriver::accept(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  pollfd p{listen_fd_, POLLIN, 0};
  if (::poll(&p, 1, remaining_ms(deadline)) <= 0) throw std::runtime_error("no worker connected in time");
  WorkerLink link;
  link.fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (link.fd < 0) throw std::runtime_error(std::string("accept failed: ") + std::strerror(errno));
  link.open = true;
  std::uint8_t buffer[4096];
  for (;;) {
    if (auto m = link.decoder.next()) {
      const auto* hello = std::get_if<wire::Hello>(&*m);
      if (!hello) throw std::runtime_error("the worker's first frame is not Hello");
      link.hello = *hello;
      return link;
    }
    pollfd q{link.fd, POLLIN, 0};
    if (::poll(&q, 1, remaining_ms(deadline)) <= 0) throw std::runtime_error("no Hello in time");
    const ssize_t n = ::recv(link.fd, buffer, sizeof buffer, 0);
    if (n <= 0) throw std::runtime_error("the worker closed the connection before Hello");
    link.decoder.feed(buffer, static_cast<std::size_t>(n));
  }
}

std::vector<WorkerLink> WorkerDriver::accept_pool(int world) {
  std::vector<WorkerLink> links(static_cast<std::size_t>(world));
  for (int i = 0; i < world; ++i) {
    WorkerLink link = accept();
    const auto rank = static_cast<std::size_t>(link.hello.rank);
    if (rank >= links.size() || links[rank].open) throw std::runtime_error("unexpected Hello rank");
    links[rank] = std::move(link);
    send(links[rank], wire::Welcome{wire::kProtocolVersion});
  }
  return links;
}

std::vector<wire::Ready> WorkerDriver::start_pool(int world, std::vector<WorkerLink>& links) {
  links = accept_pool(world);
  std::vector<Received> received;
  collect(links, received, [&](const std::vector<Received>& r) {
    return static_cast<int>(messages_of<wire::Ready>(r).size()) == world;
  });
  std::vector<wire::Ready> ready(static_cast<std::size_t>(world));
  for (const Received& r : received)
    if (const auto* m = std::get_if<wire::Ready>(&r.message)) ready[static_cast<std::size_t>(r.rank)] = *m;
  return ready;
}

void WorkerDriver::send(WorkerLink& link, const wire::Message& message) {
  const std::vector<std::uint8_t> bytes = wire::encode_frame(message);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(link.fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error(std::string("sending to a worker failed: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

void WorkerDriver::send_all(std::vector<WorkerLink>& links, const wire::Message& message) {
  for (WorkerLink& link : links)
    if (link.open) send(link, message);
}

void WorkerDriver::close(WorkerLink& link) {
  if (link.fd >= 0) ::close(link.fd);
  link.fd = -1;
  link.open = false;
}

void WorkerDriver::collect(std::vector<WorkerLink>& links, std::vector<Received>& out,
                           const std::function<bool(const std::vector<Received>&)>& done,
                           std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::uint8_t buffer[64 * 1024];
  while (!done(out)) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < links.size(); ++i)
      if (links[i].open) {
        fds.push_back({links[i].fd, POLLIN, 0});
        which.push_back(i);
      }
    if (fds.empty()) throw std::runtime_error("every worker connection is closed");
    const int left = remaining_ms(deadline);
    if (left == 0) throw std::runtime_error("timed out waiting for the workers' messages" + logs_text());
    if (::poll(fds.data(), fds.size(), left) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      WorkerLink& link = links[which[k]];
      const ssize_t n = ::recv(link.fd, buffer, sizeof buffer, 0);
      if (n <= 0)
        throw std::runtime_error("rank " + std::to_string(link.hello.rank) + " closed its connection unexpectedly" +
                                 logs_text());
      link.decoder.feed(buffer, static_cast<std::size_t>(n));
      while (auto m = link.decoder.next())  // ProtocolError propagates
        if (!std::holds_alternative<wire::Heartbeat>(*m))
          out.push_back({static_cast<int>(link.hello.rank), std::move(*m)});
    }
  }
}

ProcessExit WorkerDriver::wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const ProcessExit e = reap(pid, timeout);
  children_.erase(std::remove(children_.begin(), children_.end(), pid), children_.end());
  return e;
}

ProcessExit WorkerDriver::run_to_end(const std::vector<std::string>& args, std::string& out, std::string& error) {
  char pattern[] = "/tmp/spworker-run-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  const std::string folder = pattern;
  const pid_t pid = start_process(args, {"OMP_NUM_THREADS=1"}, folder + "/out", folder + "/err");
  const ProcessExit e = reap(pid, std::chrono::seconds(60));
  out = read_file(folder + "/out");
  error = read_file(folder + "/err");
  std::filesystem::remove_all(folder);
  return e;
}

}  // namespace spstudio::testing
