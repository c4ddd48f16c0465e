// SPDX-License-Identifier: Apache-2.0
#include "app/cli/plan_check.h"

#include "app/cli/cli_options.h"
#include "common/plan_json.h"
#include "common/plan_validation.h"

namespace spstudio::cli {

std::vector<ValidationIssue> check_plan_file(const std::string& path, const ParallelConfig& degrees,
                                             const ModuleNode* root, LoadedPlan* plan) {
  LoadedPlan loaded;
  try {
    loaded.plan = load_plan_file(path);
  } catch (const PlanError& e) {
    return e.issues();
  }
  loaded.json = plan_to_json(loaded.plan);
  PlanValidationOptions options;
  options.config = degrees;
  options.world_size = degrees.sp_size();
  auto issues = validate_plan(loaded.plan, root, options);
  if (plan != nullptr) *plan = std::move(loaded);
  return issues;
}

std::string issues_text(const std::vector<ValidationIssue>& issues, Severity severity) {
  std::string text;
  for (const auto& issue : issues) {
    if (issue.severity != severity) continue;
    text += (text.empty() ? "" : "; ") + one_line(issue.to_string());
  }
  return text;
}

LoadedPlan load_checked_plan(const std::string& path, const ParallelConfig& degrees,
                             std::vector<ValidationIssue>* warnings) {
  LoadedPlan plan;
  const auto issues = check_plan_file(path, degrees, nullptr, &plan);
  if (has_errors(issues))
    throw CliError("the plan file " + path + " is not usable: " + issues_text(issues, Severity::Error));
  if (warnings != nullptr)
    for (const auto& issue : issues)
      if (issue.severity == Severity::Warning) warnings->push_back(issue);
  return plan;
}

}  // namespace spstudio::cli
