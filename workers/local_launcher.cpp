// SPDX-License-Identifier: Apache-2.0
#include "local_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace spstudio::workers {
namespace {

std::string make_temp_dir(const char* prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a temp directory: " + std::string(std::strerror(errno)));
  return pattern;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// This process's environment with `extra` added or replaced, as "NAME=value" strings.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [n, v] : extra)
      replaced = replaced || n == name;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [n, v] : extra)
    env.push_back(n + "=" + v);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t spawn(const std::string& program, const std::vector<std::string>& args, const std::string& log,
            std::vector<std::string> env_storage) {
  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  // Everything exec needs is built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> argv = pointers(argv_storage), envp = pointers(env_storage);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

std::string RankExit::describe() const {
  std::string s = "rank " + std::to_string(rank);
  if (signal != 0)
    return s + " was killed by signal " + std::to_string(signal) +
           (timed_out ? " at the deadline"
            : stopped ? " after another rank failed"
                      : "");
  if (exit_code == 127) return s + " could not be started";
  return s + " exited with code " + std::to_string(exit_code);
}

bool LaunchResult::ok() const {
  for (const RankExit& r : ranks)
    if (!r.ok()) return false;
  return !ranks.empty();
}

std::string LaunchResult::report() const {
  std::string out;
  for (const RankExit& r : ranks) {
    out += r.describe() + "\n";
    if (!r.ok()) {
      const std::string tail = r.output.size() > 4000 ? "..." + r.output.substr(r.output.size() - 4000) : r.output;
      out += "---- rank " + std::to_string(r.rank) + " output ----\n" + tail + "\n";
    }
  }
  return out;
}

LaunchResult launch_local_ranks(const std::string& program, int world,
                                const std::function<std::vector<std::string>(int, const std::string&)>& args_for,
                                const LaunchOptions& options) {
  if (world < 1) throw std::invalid_argument("launch_local_ranks: world must be at least 1");
  const std::string logs = make_temp_dir("spstudio-ranks-");
  const std::string rendezvous = "file://" + logs + "/store";
  LaunchResult result;
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world; ++rank) {
    RankExit exit;
    exit.rank = rank;
    result.ranks.push_back(exit);
    pids.push_back(spawn(program, args_for(rank, rendezvous), logs + "/rank" + std::to_string(rank) + ".log",
                         child_environment(options.environment)));
  }
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  Clock::time_point kill_at = deadline;
  int running = world;
  while (running > 0) {
    for (int rank = 0; rank < world; ++rank) {
      if (pids[rank] == 0) continue;
      int status = 0;
      if (waitpid(pids[rank], &status, WNOHANG) != pids[rank]) continue;
      RankExit& r = result.ranks[rank];
      if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
      pids[rank] = 0;
      --running;
      if (!r.ok()) kill_at = std::min(kill_at, Clock::now() + options.grace);
    }
    if (running > 0 && Clock::now() >= kill_at) {
      for (int rank = 0; rank < world; ++rank) {
        if (pids[rank] == 0) continue;
        kill(pids[rank], SIGKILL);
        result.ranks[rank].timed_out = Clock::now() >= deadline;
        result.ranks[rank].stopped = !result.ranks[rank].timed_out;
      }
      kill_at = Clock::time_point::max();  // reap them in the next rounds
    }
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int rank = 0; rank < world; ++rank)
    result.ranks[rank].output = read_file(logs + "/rank" + std::to_string(rank) + ".log");
  std::filesystem::remove_all(logs);
  return result;
}

std::vector<std::pair<std::string, std::string>> single_thread_environment() {
  return {{"OMP_NUM_THREADS", "1"}, {"OPENBLAS_NUM_THREADS", "1"}, {"MKL_NUM_THREADS", "1"}};
}

std::string self_executable() {
  std::vector<char> buffer(PATH_MAX);
  const ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) throw std::runtime_error("cannot resolve /proc/self/exe");
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

}  // namespace spstudio::workers
