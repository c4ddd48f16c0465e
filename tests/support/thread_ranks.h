// SPDX-License-Identifier: Apache-2.0
// Runs a function on `world` threads of this process, each a rank with real Gloo groups that meet
// through one in-memory c10d HashStore: collectives over loopback TCP without starting processes.
// The multiprocess tests cover the same code across real OS processes.
#pragma once

#include <functional>

#include "common/parallel_config.h"
#include "sp/comm/process_groups.h"

namespace spstudio::testing {

/// Calls fn(rank, groups) on every rank and waits for all. If a rank throws, the first failure
/// (with its rank) is rethrown as std::runtime_error after every thread finished.
void run_ranks(const ParallelConfig& config, const std::function<void(int rank, sp::SpGroups& groups)>& fn);

}  // namespace spstudio::testing
