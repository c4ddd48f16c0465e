// SPDX-License-Identifier: Apache-2.0
#include "common/issues.h"

#include <algorithm>

#include "common/plan.h"

namespace spstudio {

std::string ValidationIssue::to_string() const {
  std::string out = severity == Severity::Error ? "error: " : "warning: ";
  if (plan_key) {
    out += "plan entry " + describe_plan_key(*plan_key);
    if (!field.empty()) out += ", " + field;
    out += ": ";
  } else if (!field.empty()) {
    out += field + ": ";
  }
  out += message;
  if (module_path && (!plan_key || *module_path != *plan_key))
    out += " [module " + describe_plan_key(*module_path) + "]";
  if (!fix.empty()) out += " (fix: " + fix + ")";
  return out;
}

bool has_errors(const std::vector<ValidationIssue>& issues) {
  return std::any_of(issues.begin(), issues.end(),
                     [](const ValidationIssue& i) { return i.severity == Severity::Error; });
}

namespace {
std::string join_issues(const std::vector<ValidationIssue>& issues) {
  std::string text;
  for (const ValidationIssue& issue : issues) {
    if (!text.empty()) text += '\n';
    text += issue.to_string();
  }
  return text.empty() ? std::string("invalid plan") : text;
}
}  // namespace

PlanError::PlanError(std::vector<ValidationIssue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

}  // namespace spstudio
