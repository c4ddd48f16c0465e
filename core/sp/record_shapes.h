// SPDX-License-Identifier: Apache-2.0
// The model manifest with shapes: the module tree (describe_module_tree) plus what flowed into and
// out of every hookable module during one forward at a given resolution. The GUI's plan editor and
// the static validator read those shapes to check splits (divisibility, expected_dims) without
// LibTorch.
#pragma once

#include <optional>
#include <utility>

#include "common/manifest.h"
#include "sp/hooks/hookable_module.h"

namespace spstudio::sp {

/// The shape of one argument or output value.
ValueShape shape_of(const Value& value);

/// Runs `model` once on `example` (no SP hooks should be applied) and returns its manifest with
/// the first call's input and output shapes on every hookable node. `resolution` (height, width)
/// is stored as what the shapes are for.
ModelManifest record_manifest(HookableModule& model, Args example, std::optional<std::pair<int, int>> resolution);

}  // namespace spstudio::sp
