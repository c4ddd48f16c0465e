// SPDX-License-Identifier: Apache-2.0
// Ulysses/Ring degrees and the rank layout of the sequence-parallel group (SP_SEMANTICS.md §4):
// Ulysses groups are contiguous runs of U ranks, ring groups are strided by U.
//   ulysses_rank = k % U, ring_rank = k / U
//   Ulysses group of k = { ring_rank·U + j | j < U },  ring group of k = { i·U + ulysses_rank | i < R }
// Rank k holds sequence chunk k.
#pragma once

#include <string>
#include <vector>

namespace spstudio {

struct ParallelConfig {
  int ulysses_degree = 1;
  int ring_degree = 1;

  int sp_size() const { return ulysses_degree * ring_degree; }
  std::string to_string() const;  ///< "U2×R2"
  bool operator==(const ParallelConfig& o) const {
    return ulysses_degree == o.ulysses_degree && ring_degree == o.ring_degree;
  }
};

/// Empty when the degrees are usable by `world_size` processes; otherwise a sentence that says
/// what is wrong and which degrees would work.
std::string check_parallel_config(const ParallelConfig& config, int world_size);

/// Throws std::invalid_argument with check_parallel_config's message, or when rank is out of range.
void validate_parallel_config(const ParallelConfig& config, int world_size, int rank);

struct SpRankLayout {
  int rank = 0;
  int ulysses_rank = 0;
  int ring_rank = 0;
  std::vector<int> ulysses_group;  ///< global ranks, in Ulysses-rank order
  std::vector<int> ring_group;     ///< global ranks, in ring-rank order
};

SpRankLayout sp_rank_layout(const ParallelConfig& config, int rank);

/// Every Ulysses group (or ring group) of the SP group, for rendezvous naming and display.
std::vector<std::vector<int>> ulysses_groups(const ParallelConfig& config);
std::vector<std::vector<int>> ring_groups(const ParallelConfig& config);

/// "1, 2, 4" — the divisors of n up to `limit`, for error messages that suggest degrees.
std::string divisors_text(long long n, long long limit);

}  // namespace spstudio
