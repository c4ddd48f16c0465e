// SPDX-License-Identifier: Apache-2.0
// Loading a plan file in the CLI and checking it before any worker starts: structural errors
// (plan_json.h) and static validation (plan_validation.h) with the degrees in use — without
// LibTorch, and against a model manifest when one is at hand (validate-plan).
#pragma once

#include <string>
#include <vector>

#include "common/issues.h"
#include "common/manifest.h"
#include "common/parallel_config.h"
#include "common/plan.h"

namespace spstudio::cli {

struct LoadedPlan {
  SequenceParallelPlan plan;
  std::string json;  ///< canonical text (plan_to_json): what the workers get and the PNG records
};

/// The issues of a plan file: parse errors (each with its entry key) or, when it parses, the
/// validation issues. `plan` is set when it parsed.
std::vector<ValidationIssue> check_plan_file(const std::string& path, const ParallelConfig& degrees,
                                             const ModuleNode* root, LoadedPlan* plan);

/// check_plan_file without a manifest; throws CliError listing the errors in one line (each naming
/// its plan entry) when there is any. Warnings are returned.
LoadedPlan load_checked_plan(const std::string& path, const ParallelConfig& degrees,
                             std::vector<ValidationIssue>* warnings = nullptr);

/// "error: plan entry "x", split.hidden_states.dim: ... ; error: ..." (one line).
std::string issues_text(const std::vector<ValidationIssue>& issues, Severity severity);

}  // namespace spstudio::cli
