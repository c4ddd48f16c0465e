// SPDX-License-Identifier: Apache-2.0
// The model manifest: a model's module tree, each hookable module's declared forward signature,
// its attention heads, and (when recorded for a resolution) the shapes that flowed through each
// module. Workers produce it from a live LibTorch model; the GUI and the validator read it, so
// neither needs LibTorch. Format "spstudio-manifest/1" (JSON).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace spstudio {

enum class ModuleKind { Module, List, Dict };

struct AttentionInfo {
  int heads = 0;     ///< query heads
  int kv_heads = 0;  ///< key/value heads (== heads unless grouped-query attention)
  /// Cross-attention to replicated text runs locally: no head constraint, no communication.
  bool skip_sequence_parallel = false;
};

/// What one forward argument or output looked like at describe time.
struct ValueShape {
  enum class Kind { None, Tensor, List, Int, Other };
  Kind kind = Kind::None;
  std::vector<std::int64_t> sizes;  ///< Tensor
  std::vector<ValueShape> items;    ///< List (tuples too)
  std::int64_t value = 0;           ///< Int
  std::string type_name;            ///< Other

  static ValueShape none() { return {}; }
  static ValueShape tensor(std::vector<std::int64_t> s);
  static ValueShape list(std::vector<ValueShape> items);
  static ValueShape integer(std::int64_t v);
  bool operator==(const ValueShape& o) const;
  bool operator!=(const ValueShape& o) const { return !(*this == o); }
};

struct ModuleNode {
  std::string name;        ///< attribute name in the parent ("" for the root)
  std::string class_name;  ///< e.g. "TestDiTBlock", "torch::nn::ModuleList"
  ModuleKind kind = ModuleKind::Module;
  bool hookable = false;               ///< can carry SP hooks (has a declared signature)
  std::vector<std::string> signature;  ///< declared forward parameter names, in order
  std::optional<AttentionInfo> attention;
  /// Recorded by a describe run at a given resolution; empty when not recorded.
  std::vector<std::pair<std::string, ValueShape>> inputs;
  std::optional<ValueShape> output;
  std::vector<ModuleNode> children;

  const ModuleNode* child(const std::string& child_name) const;
  const ValueShape* input(const std::string& param) const;
  int parameter_index(const std::string& param) const;  ///< -1 when not declared
};

struct ModelManifest {
  std::string model;  ///< the root's class
  /// The image size (height, width) the recorded shapes are for, when shapes were recorded.
  std::optional<std::pair<int, int>> resolution;
  /// The plan the workers apply when a job names none (spstudio-plan/1 JSON; parse it with
  /// plan_from_json); empty when the describer did not say. The plan editor diffs against it.
  std::string shipped_plan;
  ModuleNode root;
};

inline constexpr const char* kManifestFormat = "spstudio-manifest/1";

std::string manifest_to_json(const ModelManifest& manifest);
/// Throws std::runtime_error naming the offending node path.
ModelManifest manifest_from_json(const std::string& text);

std::string describe_shape(const ValueShape& shape);  ///< "[1, 64, 16]", "int 8", "None", ...

}  // namespace spstudio
