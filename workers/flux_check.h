// SPDX-License-Identifier: Apache-2.0
// One rank's part of an end-to-end Flux SP check on builtin:tiny-flux: compute the single-process
// result, join the group, hook the transformer with plans/flux.json, run the same work
// sequence-parallel, and compare (SP_SEMANTICS.md §6). `transformer`: one transformer forward on
// seeded inputs; `generate`: a whole few-step text-to-image generation, comparing final latents.
// Rank 0 also compares with the pipeline run in float64.
#pragma once

#include "sp_check.h"

namespace spstudio::workers {

struct FluxCheckOptions {
  ParallelConfig config;
  bool generate = false;                 ///< false: one transformer forward
  std::int64_t height = 64, width = 64;  ///< image pixels (16 per token side)
  std::int64_t steps = 2;
  std::uint64_t seed = 5;
};

SpCheckResult run_flux_check(const sp::Rendezvous& rendezvous, const FluxCheckOptions& options);

}  // namespace spstudio::workers
