// SPDX-License-Identifier: Apache-2.0
// GUI-free edits of a SequenceParallelPlan, addressed the way the editor shows specs: a split by
// its forward parameter name, a split_output by output index, a gather element by index. Edits keep
// the order plan_to_json writes (input splits before split_outputs in an entry, existing items in
// place, new entries appended), drop an entry that an edit leaves empty, and so undoing an edit by
// its inverse gives back a plan whose JSON is byte for byte the original.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/manifest.h"
#include "common/plan.h"

namespace spstudio::ui {

enum class SpecKind { Split, SplitOutput, Gather };

/// One spec of an entry: Split and SplitOutput by `key` (which side decides which JSON section it
/// lives in), Gather by `gather_index`.
struct SpecId {
  SpecKind kind = SpecKind::Split;
  InputKey key = InputKey::name("");
  int gather_index = 0;

  static SpecId split(std::string parameter) { return {SpecKind::Split, InputKey::name(std::move(parameter)), 0}; }
  static SpecId splitOutput(int index) { return {SpecKind::SplitOutput, InputKey::index(index), 0}; }
  static SpecId gather(int index) { return {SpecKind::Gather, InputKey::name(""), index}; }
  bool operator==(const SpecId& o) const;
  bool operator!=(const SpecId& o) const { return !(*this == o); }
};

/// One change to one entry: add (no target), replace (target and id) or remove (target, no id).
struct PlanEdit {
  std::string entry_key;
  std::optional<SpecId> target;  ///< the spec replaced or removed; nullopt: add
  std::optional<SpecId> id;      ///< where the new value goes; nullopt: remove `target`
  /// The new value of a Split or SplitOutput id (a single spec or a list parameter's specs).
  SplitValue split = SplitSpec{SequenceParallelInput{}};
  /// The new element of a Gather id (nullopt: a null element, "leave this output alone").
  std::optional<SequenceParallelOutput> gather;
};

/// Applies `edit`; an edit whose target does not exist adds its new value. Never throws.
void apply_edit(SequenceParallelPlan& plan, const PlanEdit& edit);

// ---- primitives ------------------------------------------------------------------------------

/// Sets the split with `key` on its side (from the value: an index key or split_output spec is an
/// output split) in place, or inserts it: input splits after the entry's last input split, output
/// splits at the end. Creates the entry (at the end) when needed.
void set_split(SequenceParallelPlan& plan, const std::string& entry_key, const InputKey& key, SplitValue value);
/// Removes the split; false when there was none. Removes the entry if it becomes empty.
bool remove_split(SequenceParallelPlan& plan, const std::string& entry_key, const InputKey& key, bool output_side);
/// Sets gather element `index`, padding with null elements; creates the gather and entry as needed.
void set_gather_element(SequenceParallelPlan& plan, const std::string& entry_key, int index,
                        std::optional<SequenceParallelOutput> spec);
/// Removes gather element `index`: the last one is dropped (with nulls before it), an earlier one
/// becomes null; a gather left without specs is removed, and then an empty entry. False when absent.
bool remove_gather_element(SequenceParallelPlan& plan, const std::string& entry_key, int index);

const InputSplit* find_split(const SequenceParallelPlan& plan, const std::string& entry_key, const SpecId& id);
/// The gather element, nullptr when absent or null.
const SequenceParallelOutput* find_gather(const SequenceParallelPlan& plan, const std::string& entry_key, int index);

// ---- the specs of a node, as the spec editor lists them ------------------------------------------

struct SpecRow {
  std::string entry_key;
  SpecId id;
  int element = -1;  ///< the list element of a list parameter's split; -1 for a single spec
  std::variant<SplitSpec, SequenceParallelOutput> spec;
  std::string label;  ///< "split hidden_states (dim 1, expects 3-D, pad)", with " via <key>" when given
};

/// Every non-null spec of the given entries, entry by entry in plan order; `node_path` marks rows
/// of other keys (wildcards) "via <key>".
std::vector<SpecRow> spec_rows(const SequenceParallelPlan& plan, const std::vector<std::string>& entry_keys,
                               const std::string& node_path);

/// The plan keys a new spec for the node at `path` can go to: the path itself, then the path with
/// each ModuleList element index replaced by `*` (one at a time), outermost list first.
std::vector<std::string> plan_keys_for(const ModuleNode& root, const std::string& path);

/// `value` with list element `element` set to `spec` (growing the list with nulls as needed).
SplitValue with_list_element(const SplitValue& value, int element, std::optional<SplitSpec> spec);

}  // namespace spstudio::ui
