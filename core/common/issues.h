// SPDX-License-Identifier: Apache-2.0
// Problems found in plans, manifests and parallel configurations. Every issue says where it is
// (plan key, field, module) so an editor can point at the node, and what would fix it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace spstudio {

enum class Severity { Error, Warning };

struct ValidationIssue {
  Severity severity = Severity::Error;
  /// The plan entry the issue is about; nullopt for issues about the model or the degrees.
  std::optional<std::string> plan_key;
  /// Where inside the entry: "split.hidden_states.auto_pad", "split_output.2", "gather[0]",
  /// or a top-level name such as "ulysses_degree".
  std::string field;
  /// The concrete module the issue concerns (a wildcard key names each element it covers).
  std::optional<std::string> module_path;
  std::string message;
  /// What would make it valid, when we can tell ("use ulysses_degree 1, 2 or 4", "set auto_pad").
  std::string fix;

  /// One line: `plan entry "rope_prepare", split_output.2: <message> (fix: <fix>)`.
  std::string to_string() const;
};

bool has_errors(const std::vector<ValidationIssue>& issues);

/// Thrown when a plan cannot be parsed or applied; carries every issue found, not just the first.
class PlanError : public std::runtime_error {
 public:
  explicit PlanError(std::vector<ValidationIssue> issues);
  const std::vector<ValidationIssue>& issues() const { return issues_; }

 private:
  std::vector<ValidationIssue> issues_;
};

/// Thrown when a module path cannot be resolved against a module tree.
class PathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace spstudio
