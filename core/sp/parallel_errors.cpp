// SPDX-License-Identifier: Apache-2.0
#include "sp/parallel_errors.h"

#include "common/parallel_config.h"
#include "sp/errors.h"

namespace spstudio::sp {

void require_heads_divisible(std::int64_t heads, std::int64_t ulysses_degree, const std::string& what) {
  if (heads % ulysses_degree == 0) return;
  throw SequenceParallelError(what + ": " + std::to_string(heads) + " heads cannot be split over ulysses_degree " +
                              std::to_string(ulysses_degree) + "; use ulysses_degree in {" +
                              divisors_text(heads, heads) + "} and make up the rest with ring_degree");
}

}  // namespace spstudio::sp
