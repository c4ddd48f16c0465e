// SPDX-License-Identifier: Apache-2.0
// Short texts for what a plan entry does at a module, shown in the tree's Plan column and the spec
// list: "split hidden_states (dim 1, pad)", "partial hidden_states (dim 1, text_len txt_ids)",
// "split_output 2, 3 (dim 0, pad)", "gather [0] dim 1". Pure C++.
#pragma once

#include <string>
#include <vector>

#include "common/plan.h"

namespace spstudio::ui {

enum class MarkerKind { Split, Partial, SplitOutput, Gather };

/// "split", "partial", "split_output", "gather" (the values of PlanTreeModel's MarkerKindsRole).
const char* marker_kind_name(MarkerKind kind);

struct PlanMarker {
  MarkerKind kind;
  std::string text;
};

/// "dim 1, pad", "dim 1, pad, group rope", "dim 1, text_len txt_ids"; with_expected_dims adds
/// "expects 3-D" after the dim.
std::string describe_split_spec(const SplitSpec& spec, bool with_expected_dims = false);
/// "dim 1", "dim 1, group rope"; with_expected_dims as above.
std::string describe_gather_spec(const SequenceParallelOutput& spec, bool with_expected_dims = false);

/// The markers of one entry in JSON order: input splits (one per tensor or list element), output
/// splits (consecutive indices with the same spec share a marker), then the gather.
std::vector<PlanMarker> entry_markers(const PlanEntry& entry);

/// True for a split_output item (an index key, or a spec with split_output set).
bool is_output_split(const InputSplit& split);

}  // namespace spstudio::ui
