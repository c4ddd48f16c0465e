// SPDX-License-Identifier: Apache-2.0
// Entry-by-entry difference of two plans (the editor's "Diff with shipped"): which plan keys were
// added, removed or changed, with each side's canonical JSON of that entry. Pure C++.
#pragma once

#include <string>
#include <vector>

#include "common/plan.h"

namespace spstudio::ui {

struct PlanEntryDiff {
  enum class Change { Added, Removed, Changed };
  Change change = Change::Changed;
  std::string key;
  std::string before_json;  ///< the entry in `before` (empty when added)
  std::string after_json;   ///< the entry in `after` (empty when removed)
};

/// Removed and changed entries in `before`'s order, then added ones in `after`'s order. Entries
/// that are equal (same key, same specs) are left out, wherever they stand.
std::vector<PlanEntryDiff> diff_plans(const SequenceParallelPlan& before, const SequenceParallelPlan& after);

/// One entry as plan_to_json writes it, without the indentation of the plan around it:
/// `"proj_out": {\n  "gather": [{ "dim": 1 }]\n}`.
std::string entry_json(const PlanEntry& entry);

/// "added", "removed", "changed".
const char* change_name(PlanEntryDiff::Change change);

}  // namespace spstudio::ui
