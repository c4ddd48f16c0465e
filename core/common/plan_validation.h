// SPDX-License-Identifier: Apache-2.0
// Static plan validation (SP_SEMANTICS.md §2), before any tensor exists. Checks the plan on its
// own, against the model's module tree (paths, hookability, parameter names, output counts, heads)
// and, where the tree carries shapes recorded at a resolution, the divisibility of every split.
//
// Ordering rules ("a shard needs a later gather") assume modules run in registration order, which
// holds for the models we ship; a tree without that property should say so in its plan.
#pragma once

#include <optional>
#include <vector>

#include "common/issues.h"
#include "common/manifest.h"
#include "common/parallel_config.h"
#include "common/plan.h"

namespace spstudio {

struct PlanValidationOptions {
  ParallelConfig config;
  /// Number of worker processes when known; defaults to config.sp_size().
  std::optional<int> world_size;
};

/// Every issue found, errors and warnings, in plan order. `root` may be null (plan-only rules).
std::vector<ValidationIssue> validate_plan(const SequenceParallelPlan& plan, const ModuleNode* root,
                                           const PlanValidationOptions& options);

/// Throws PlanError when validate_plan reports an error.
void require_valid_plan(const SequenceParallelPlan& plan, const ModuleNode* root, const PlanValidationOptions& options);

}  // namespace spstudio
