// SPDX-License-Identifier: Apache-2.0
// The plans shipped in plans/*.json, embedded at build time so binaries need no data files.
#pragma once

#include <string>
#include <vector>

#include "common/plan.h"

namespace spstudio::models {

/// Names (file stems) of the shipped plans, sorted.
std::vector<std::string> builtin_plan_names();
/// The file's text; throws std::out_of_range naming the known plans.
const std::string& builtin_plan_text(const std::string& name);
/// Parsed (PlanError on a broken file).
SequenceParallelPlan builtin_plan(const std::string& name);

}  // namespace spstudio::models
