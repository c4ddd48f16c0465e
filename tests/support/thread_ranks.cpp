// SPDX-License-Identifier: Apache-2.0
#include "thread_ranks.h"

#include <torch/csrc/distributed/c10d/HashStore.hpp>

#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace spstudio::testing {

void run_ranks(const ParallelConfig& config, const std::function<void(int, sp::SpGroups&)>& fn) {
  const int world = config.sp_size();
  auto store = c10::make_intrusive<c10d::HashStore>();
  std::mutex mutex;
  std::string first_failure;
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        sp::SpGroups groups = sp::init_sp_groups_gloo(store, rank, world, config, std::chrono::seconds(30));
        fn(rank, groups);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (first_failure.empty()) first_failure = "rank " + std::to_string(rank) + ": " + e.what();
      }
    });
  }
  for (std::thread& t : threads)
    t.join();
  if (!first_failure.empty()) throw std::runtime_error(first_failure);
}

}  // namespace spstudio::testing
