// SPDX-License-Identifier: Apache-2.0
// Running spstudio-cli as a real child process in the end-to-end tests: its exit status, stdout,
// stderr and run time, and — for the fault tests — its worker children found through
// /proc/<pid>/task/*/children while it runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace spstudio::testing {

struct CliRun {
  int exit_code = -1;  ///< -1 when a signal ended it
  int signal = 0;
  std::string out, err;
  double seconds = 0;
  bool timed_out = false;
};

/// A started spstudio-cli; the destructor kills it (and so its workers) if it still runs.
class CliProcess {
 public:
  CliProcess(const std::string& program, const std::vector<std::string>& arguments);
  ~CliProcess();
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Reads output until `text` appears on stderr or the process ends; true when it appeared.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout);
  /// Waits for the exit (SIGKILL after `timeout`, then timed_out is set).
  CliRun finish(std::chrono::milliseconds timeout);
  const std::string& err() const { return run_.err; }

 private:
  void pump(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  bool exited_ = false;
  std::chrono::steady_clock::time_point start_;
  CliRun run_;
};

/// Runs to completion.
CliRun run_cli(const std::string& program, const std::vector<std::string>& arguments,
               std::chrono::milliseconds timeout = std::chrono::seconds(120));

/// The direct children of `pid` with their command lines (arguments joined by spaces).
std::vector<std::pair<pid_t, std::string>> child_processes(pid_t pid);
/// The pids of every process whose command line contains `text`.
std::vector<pid_t> processes_with_cmdline(const std::string& text);

}  // namespace spstudio::testing
