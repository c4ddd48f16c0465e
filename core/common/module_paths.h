// SPDX-License-Identifier: Apache-2.0
// Plan keys → concrete modules. "" is the root; otherwise dot-separated child names as LibTorch
// names them ("blocks.0", ModuleDict keys such as "all_final_layer.2-1"). One `*` may stand for
// every element of a ModuleList, in order. The engine resolves against a tree built from the live
// model and the editor against a manifest: both go through this one function.
#pragma once

#include <string>
#include <vector>

#include "common/manifest.h"

namespace spstudio {

/// Concrete dotted paths the key covers, in module order. Throws PathError:
/// "'x' is not a submodule of 'blocks.0' (Block)", "'*' may be used only once in a plan key",
/// "'*' needs a ModuleList, but 'norm' is a LayerNorm".
std::vector<std::string> resolve_module_path(const ModuleNode& root, const std::string& key);

/// The node at a concrete path, or nullptr.
const ModuleNode* find_module(const ModuleNode& root, const std::string& path);

std::string join_module_path(const std::string& parent, const std::string& child);

/// Every concrete module path of the tree in pre-order (the root first, as "").
std::vector<std::string> module_paths_in_order(const ModuleNode& root);

}  // namespace spstudio
