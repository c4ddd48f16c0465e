// SPDX-License-Identifier: Apache-2.0
// Placing validation issues on module-tree nodes.
#include "ui/plan/plan_issue_index.h"

#include "common/module_paths.h"
#include "common/plan.h"

namespace spstudio::ui {
namespace {

/// The nodes a plan key names; a wildcard that covers no element falls back to the ModuleList it
/// names (where the user would add elements), a key that does not resolve to nothing.
std::vector<std::string> nodes_of_key(const ModuleNode& root, const std::string& key) {
  try {
    std::vector<std::string> paths = resolve_module_path(root, key);
    if (!paths.empty()) return paths;
    const auto star = key.find(".*");
    if (star != std::string::npos) return resolve_module_path(root, key.substr(0, star));
  } catch (const PathError&) {
  }
  return {};
}

}  // namespace

PlanIssueIndex::PlanIssueIndex(const ModuleNode* root, std::vector<ValidationIssue> issues)
    : issues_(std::move(issues)) {
  for (std::size_t i = 0; i < issues_.size(); ++i) {
    const ValidationIssue& issue = issues_[i];
    std::vector<std::string> paths;
    if (root && issue.module_path && find_module(*root, *issue.module_path)) {
      paths.push_back(*issue.module_path);
    } else if (root && issue.plan_key) {
      paths = nodes_of_key(*root, *issue.plan_key);
    }
    if (paths.empty()) paths.push_back("");
    for (const std::string& path : paths)
      by_path_[path].push_back(i);
    nodes_.push_back(std::move(paths));
  }
}

std::vector<std::size_t> PlanIssueIndex::issuesAt(const std::string& module_path) const {
  const auto it = by_path_.find(module_path);
  return it == by_path_.end() ? std::vector<std::size_t>{} : it->second;
}

std::string issue_text_at(const ValidationIssue& issue, const std::string& node_path) {
  std::string where;
  if (issue.plan_key && *issue.plan_key != node_path) where = "plan entry " + describe_plan_key(*issue.plan_key);
  if (!issue.field.empty()) where += (where.empty() ? "" : ", ") + issue.field;
  std::string text = issue.severity == Severity::Error ? "error: " : "warning: ";
  if (!where.empty()) text += where + ": ";
  text += issue.message;
  if (!issue.fix.empty()) text += " (fix: " + issue.fix + ")";
  return text;
}

}  // namespace spstudio::ui
