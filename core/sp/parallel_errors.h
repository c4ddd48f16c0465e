// SPDX-License-Identifier: Apache-2.0
// Degree checks shared by the Ulysses all-to-all and the attention strategies.
#pragma once

#include <cstdint>
#include <string>

namespace spstudio::sp {

/// Throws SequenceParallelError: "<what>: 30 heads cannot be split over ulysses_degree 4; use
/// ulysses_degree in {1, 2, 3, 5, 6, 10, 15, 30} and make up the rest with ring_degree".
void require_heads_divisible(std::int64_t heads, std::int64_t ulysses_degree, const std::string& what);

}  // namespace spstudio::sp
