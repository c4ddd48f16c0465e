// SPDX-License-Identifier: Apache-2.0
#include "common/parallel_config.h"

#include <stdexcept>

namespace spstudio {

std::string ParallelConfig::to_string() const {
  return "U" + std::to_string(ulysses_degree) + "\u00d7R" + std::to_string(ring_degree);
}

std::string divisors_text(long long n, long long limit) {
  std::string out;
  for (long long d = 1; d <= n && d <= limit; ++d) {
    if (n % d != 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(d);
  }
  return out;
}

std::string check_parallel_config(const ParallelConfig& c, int world_size) {
  if (c.ulysses_degree < 1 || c.ring_degree < 1)
    return "ulysses_degree and ring_degree must be at least 1 (got ulysses " + std::to_string(c.ulysses_degree) +
           ", ring " + std::to_string(c.ring_degree) + ")";
  if (world_size < 1) return "the world size must be at least 1 (got " + std::to_string(world_size) + ")";
  if (c.sp_size() != world_size) {
    return "ulysses_degree × ring_degree = " + std::to_string(c.ulysses_degree) + " × " +
           std::to_string(c.ring_degree) + " = " + std::to_string(c.sp_size()) + " must equal the " +
           std::to_string(world_size) + " worker process(es); degrees whose product is " + std::to_string(world_size) +
           " use ulysses_degree in {" + divisors_text(world_size, world_size) + "}";
  }
  return {};
}

void validate_parallel_config(const ParallelConfig& config, int world_size, int rank) {
  if (std::string problem = check_parallel_config(config, world_size); !problem.empty())
    throw std::invalid_argument(problem);
  if (rank < 0 || rank >= world_size)
    throw std::invalid_argument("rank " + std::to_string(rank) + " is outside the world of " +
                                std::to_string(world_size) + " process(es) (valid: 0.." +
                                std::to_string(world_size - 1) + ")");
}

SpRankLayout sp_rank_layout(const ParallelConfig& c, int rank) {
  validate_parallel_config(c, c.sp_size(), rank);
  SpRankLayout l;
  l.rank = rank;
  l.ulysses_rank = rank % c.ulysses_degree;
  l.ring_rank = rank / c.ulysses_degree;
  for (int j = 0; j < c.ulysses_degree; ++j)
    l.ulysses_group.push_back(l.ring_rank * c.ulysses_degree + j);
  for (int i = 0; i < c.ring_degree; ++i)
    l.ring_group.push_back(i * c.ulysses_degree + l.ulysses_rank);
  return l;
}

std::vector<std::vector<int>> ulysses_groups(const ParallelConfig& c) {
  std::vector<std::vector<int>> groups;
  for (int i = 0; i < c.ring_degree; ++i)
    groups.push_back(sp_rank_layout(c, i * c.ulysses_degree).ulysses_group);
  return groups;
}

std::vector<std::vector<int>> ring_groups(const ParallelConfig& c) {
  std::vector<std::vector<int>> groups;
  for (int j = 0; j < c.ulysses_degree; ++j)
    groups.push_back(sp_rank_layout(c, j).ring_group);
  return groups;
}

}  // namespace spstudio
