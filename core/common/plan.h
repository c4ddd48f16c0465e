// SPDX-License-Identifier: Apache-2.0
// Sequence-parallel plan types: which tensors are sharded and gathered at which module boundaries.
// Names follow vLLM-Omni (SequenceParallelInput, SequenceParallelPartialInput,
// SequenceParallelOutput) so its users recognise them. Pure C++17: the GUI uses these too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace spstudio {

/// Shard a whole tensor along `split_dim` across the sequence-parallel group.
struct SequenceParallelInput {
  int split_dim = 1;
  /// When set and different from the tensor's rank, the tensor passes unchanged (plans use this
  /// to switch by rank, e.g. 4-D video vs 3-D image inputs).
  std::optional<int> expected_dims;
  /// false: shard the forward argument; true: shard an element of the module's output.
  bool split_output = false;
  /// Pad the split dimension with zero rows at the end up to a multiple of the group size.
  bool auto_pad = false;
  /// Names the padding record a later gather trims with; requires auto_pad.
  std::optional<std::string> shard_group;
};

/// Where the text length of a partial split comes from: a constant, or another forward argument
/// of the same call (a tensor gives its size along dim 0, an int itself).
using TextLenSource = std::variant<std::int64_t, std::string>;

/// Shard only the image part of a `[text | image]` tensor; the first text_len rows stay replicated.
struct SequenceParallelPartialInput {
  int split_dim = 0;
  TextLenSource text_len = std::int64_t{0};
  std::optional<int> expected_dims;
  bool split_output = false;
};

using SplitSpec = std::variant<SequenceParallelInput, SequenceParallelPartialInput>;

/// All-gather one output along `gather_dim`, then trim auto_pad padding of its shard group.
struct SequenceParallelOutput {
  int gather_dim = 1;
  std::optional<int> expected_dims;
  std::optional<std::string> shard_group;
};

/// A split key: a forward parameter name, or an index into the module's output tuple
/// (0 for a bare tensor; only valid with split_output).
struct InputKey {
  std::variant<std::string, int> value;

  static InputKey name(std::string n) { return InputKey{std::move(n)}; }
  static InputKey index(int i) { return InputKey{i}; }
  bool is_index() const { return std::holds_alternative<int>(value); }
  const std::string* as_name() const { return std::get_if<std::string>(&value); }
  const int* as_index() const { return std::get_if<int>(&value); }
  std::string to_string() const;
};

/// One spec for a tensor argument, or one (possibly null) spec per element of a list argument.
using SplitValue = std::variant<SplitSpec, std::vector<std::optional<SplitSpec>>>;

struct InputSplit {
  InputKey key;
  SplitValue value;
};

/// Everything the plan says about one module path (raw key: may hold one `*`).
struct PlanEntry {
  std::string key;
  /// Input-side splits and split_output shards, in plan order (split items before
  /// split_output items, as the JSON format groups them).
  std::vector<InputSplit> splits;
  /// One spec per output element; nullopt elements are left alone. Empty optional = no gather.
  std::optional<std::vector<std::optional<SequenceParallelOutput>>> gather;
};

struct SequenceParallelPlan {
  std::string model;        ///< the model class the plan was written for
  std::string description;  ///< free text, optional
  std::vector<PlanEntry> entries;

  const PlanEntry* find(const std::string& key) const;
};

// Spec accessors that hide the Input/PartialInput variant.
int split_dim(const SplitSpec& spec);
std::optional<int> expected_dims(const SplitSpec& spec);
bool split_output(const SplitSpec& spec);
bool auto_pad(const SplitSpec& spec);
std::optional<std::string> shard_group(const SplitSpec& spec);
bool is_partial(const SplitSpec& spec);

/// The name of the hook a plan key installs (`sp_input---<key>` / `sp_output---<key>`, raw key).
std::string split_hook_name(const std::string& plan_key);
std::string gather_hook_name(const std::string& plan_key);

/// The default auto_pad group of specs that name none.
inline constexpr const char* kDefaultShardGroup = "";

/// Human-readable plan key: `"" (root)` for the root.
std::string describe_plan_key(const std::string& key);

bool operator==(const SequenceParallelInput& a, const SequenceParallelInput& b);
bool operator==(const SequenceParallelPartialInput& a, const SequenceParallelPartialInput& b);
bool operator==(const SequenceParallelOutput& a, const SequenceParallelOutput& b);
bool operator==(const InputKey& a, const InputKey& b);
bool operator==(const InputSplit& a, const InputSplit& b);
bool operator==(const PlanEntry& a, const PlanEntry& b);
bool operator==(const SequenceParallelPlan& a, const SequenceParallelPlan& b);

}  // namespace spstudio
