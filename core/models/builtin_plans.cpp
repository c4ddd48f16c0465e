// SPDX-License-Identifier: Apache-2.0
#include "models/builtin_plans.h"

#include <map>
#include <stdexcept>

#include "common/plan_json.h"

namespace spstudio::models {
namespace detail {
// Generated from plans/*.json by cmake/EmbedFiles.cmake.
extern const std::map<std::string, std::string>& embedded_plans();
}  // namespace detail

std::vector<std::string> builtin_plan_names() {
  std::vector<std::string> names;
  for (const auto& [name, text] : detail::embedded_plans())
    names.push_back(name);
  return names;
}

const std::string& builtin_plan_text(const std::string& name) {
  const auto& plans = detail::embedded_plans();
  const auto it = plans.find(name);
  if (it == plans.end()) {
    std::string known;
    for (const auto& [n, t] : plans)
      known += (known.empty() ? "" : ", ") + n;
    throw std::out_of_range("no shipped plan named '" + name + "' (shipped: " + known + ")");
  }
  return it->second;
}

SequenceParallelPlan builtin_plan(const std::string& name) {
  return plan_from_json(builtin_plan_text(name));
}

}  // namespace spstudio::models
