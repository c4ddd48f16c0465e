// SPDX-License-Identifier: Apache-2.0
// One rank's part of an end-to-end SP check: run the test DiT once on its own (the single-process
// reference), join the group, apply the shipped plan, run it sequence-parallel, and compare.
// The multi-process tests and the headless demo both run it in every rank.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/parallel_config.h"
#include "sp/comm/process_groups.h"

namespace spstudio::workers {

struct SpCheckOptions {
  ParallelConfig config;
  std::int64_t grid_h = 8, grid_w = 8;  ///< image tokens = grid_h · grid_w
  std::int64_t text_tokens = 6;
  bool joint_rope_table = false;  ///< the partial-split plan
  std::int64_t kv_heads = 4;
  int repeats = 1;  ///< timed SP forwards (each also checked)
  std::uint64_t seed = 7;
};

struct SpCheckResult {
  double max_abs_diff = 0;      ///< SP output vs the single-process float32 output
  double max_abs_ref = 0;       ///< max |reference|
  double max_abs_diff_f64 = 0;  ///< SP output vs the float64 model (rank 0 only; 0 elsewhere)
  std::string strategy;         ///< what the first joint attention ran ("ulysses", "ring", "usp", "none")
  double reference_ms = 0;      ///< single-process forward
  double sp_ms_median = 0;      ///< sequence-parallel forward, median over repeats
  std::vector<std::int64_t> output_shape;

  /// SP_SEMANTICS.md §6 on CPU: max |Δ| ≤ 1e-4 · max |ref|.
  bool passed() const { return max_abs_diff <= 1e-4 * max_abs_ref && max_abs_ref > 0; }
  /// "RESULT key=value ..." (one line, parsed by parse_result_line).
  std::string to_line() const;
};

SpCheckResult run_sp_check(const sp::Rendezvous& rendezvous, const SpCheckOptions& options);

/// key → value of a "RESULT ..." line found in `output`; empty when there is none.
std::map<std::string, std::string> parse_result_line(const std::string& output);

}  // namespace spstudio::workers
