// SPDX-License-Identifier: Apache-2.0
// What a plan's splits and gathers do to the shapes a describe run recorded: the shard one rank
// holds after a split (SP_SEMANTICS.md §2–§3: whole splits round up under auto_pad, partial splits
// keep their text rows whole, expected_dims mismatches pass unchanged) and the full tensor a gather
// gives back. Pure C++: the editor computes these for any degrees without re-describing the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/manifest.h"
#include "common/plan.h"

namespace spstudio::ui {

/// What one split or gather does to one tensor on one rank.
struct ShapeChange {
  /// Unknown: nothing was recorded to compute with (the note says what is missing).
  enum class Outcome { Changed, Unchanged, Error, Unknown };
  Outcome outcome = Outcome::Changed;
  std::vector<std::int64_t> before;  ///< split: as recorded; gather: the shard one rank holds
  std::vector<std::int64_t> after;   ///< split: one rank's shard; gather: the full tensor; == before unless Changed
  std::int64_t padded_to = 0;        ///< auto_pad: the split dim's length after padding; 0 without padding
  std::string note;                  ///< why it passes unchanged, the padding, or the error
};

/// A whole or partial split of a tensor of `sizes` over `sp_size` ranks. `text_len` is the resolved
/// text length of a partial split; nullopt takes a constant text_len from the spec (one naming a
/// parameter is then unknown: an error).
ShapeChange split_tensor_shape(const std::vector<std::int64_t>& sizes, const SplitSpec& spec, int sp_size,
                               std::optional<std::int64_t> text_len = std::nullopt);

/// A gather of the tensor whose full (recorded) shape is `full_sizes`: each rank's equal shard
/// (rounded up: padded shards are trimmed after the gather) → the full shape.
ShapeChange gather_tensor_shape(const std::vector<std::int64_t>& full_sizes, const SequenceParallelOutput& spec,
                                int sp_size);

/// A partial split's text length on `node`: a constant, or the named argument's recorded size along
/// dim 0 (tensor) or value (int); nullopt when it cannot be known.
std::optional<std::int64_t> resolve_text_len(const TextLenSource& source, const ModuleNode& node);

/// One tensor a plan entry touches on one module, labelled as the plan names it: "hidden_states",
/// "image_rotary_emb[2]" (list element), "output[2]" (split_output), "gather output[0]".
struct ShapeLine {
  std::string label;
  ShapeChange change;
};

/// Every tensor `entry` splits or gathers on `node`, in plan order (splits, split_outputs, gathers).
/// Specs whose argument or output was not recorded get an Unchanged line saying so.
std::vector<ShapeLine> entry_shape_lines(const PlanEntry& entry, const ModuleNode& node, int sp_size);

/// "hidden_states [1, 256, 64] → [1, 64, 64]", "… → [1, 63, 64] (padded 250 → 252)",
/// "hidden_states [1, 256, 64] passes unchanged: …", "hidden_states [1, 250, 64]: <error>".
std::string describe_shape_line(const ShapeLine& line);

/// "[1, 256, 64]".
std::string describe_sizes(const std::vector<std::int64_t>& sizes);

}  // namespace spstudio::ui
