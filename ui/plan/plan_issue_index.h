// SPDX-License-Identifier: Apache-2.0
// Which module-tree nodes each validation issue belongs to, so the editor can colour the node and
// list the issue beside it: the issue's module_path when set; else every module its plan_key
// resolves to (a wildcard key: each element it covers; a wildcard that covers nothing: the
// ModuleList it names); else the root (issues about the degrees or the model, and plan keys that do
// not resolve — the issue's text names the key). Pure C++.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/issues.h"
#include "common/manifest.h"

namespace spstudio::ui {

class PlanIssueIndex {
 public:
  PlanIssueIndex() = default;
  /// `root` may be null: every issue then belongs to the root path "".
  PlanIssueIndex(const ModuleNode* root, std::vector<ValidationIssue> issues);

  const std::vector<ValidationIssue>& issues() const { return issues_; }
  /// The concrete module paths issue `i` belongs to (never empty).
  const std::vector<std::string>& nodesOf(std::size_t i) const { return nodes_.at(i); }
  /// Indices into issues() of the issues at `module_path`, in issue order.
  std::vector<std::size_t> issuesAt(const std::string& module_path) const;

 private:
  std::vector<ValidationIssue> issues_;
  std::vector<std::vector<std::string>> nodes_;              // per issue
  std::map<std::string, std::vector<std::size_t>> by_path_;  // module path -> issue indices
};

/// The issue as listed beside the node at `node_path`: "error: split.hidden_states: <message>
/// (fix: <fix>)"; the plan entry is named too when the node is not the entry's own key (a wildcard
/// element, or the root standing in for a key that does not resolve).
std::string issue_text_at(const ValidationIssue& issue, const std::string& node_path);

}  // namespace spstudio::ui
