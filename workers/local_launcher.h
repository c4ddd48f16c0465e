// SPDX-License-Identifier: Apache-2.0
// Starts one OS process per rank on this machine and waits for all of them. Used by the
// multi-process tests and the headless engine demo until the supervisor (Qt, issue 4) exists.
// No rank outlives the launch: a rank that fails gets the others killed after a grace period,
// the deadline kills everyone, and every child dies with its parent (PR_SET_PDEATHSIG).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace spstudio::workers {

struct RankExit {
  int rank = 0;
  int exit_code = -1;      ///< when it exited normally
  int signal = 0;          ///< when a signal ended it
  bool timed_out = false;  ///< killed at the deadline
  bool stopped = false;    ///< killed because another rank failed
  std::string output;      ///< stdout and stderr, interleaved
  bool ok() const { return exit_code == 0; }
  std::string describe() const;  ///< "rank 2 exited with code 1", "rank 0 was killed by signal 9 (deadline)"
};

struct LaunchResult {
  std::vector<RankExit> ranks;
  bool ok() const;
  /// Every rank's status line and, for failed ranks, the tail of their output.
  std::string report() const;
};

struct LaunchOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
  /// After the first rank fails, how long the others may take to notice before being killed.
  std::chrono::milliseconds grace{std::chrono::seconds(3)};
  /// Variables added to (or replacing those of) this process's environment for every rank.
  std::vector<std::pair<std::string, std::string>> environment;
};

/// One compute thread per rank (BLAS and OpenMP read these when they load): several ranks share
/// this machine's cores.
std::vector<std::pair<std::string, std::string>> single_thread_environment();

/// Runs `world` copies of `program`, rank r with arguments args_for(r, rendezvous), where
/// `rendezvous` is "file://<private temp dir>/store": a FileStore no other launch shares, removed
/// with the logs when the launch ends.
LaunchResult launch_local_ranks(
    const std::string& program, int world,
    const std::function<std::vector<std::string>(int rank, const std::string& rendezvous)>& args_for,
    const LaunchOptions& options = {});

/// The path of the running executable (to start more of itself).
std::string self_executable();

}  // namespace spstudio::workers
