// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "common/issues.h"
#include "common/module_paths.h"
#include "manifest_fixture.h"

namespace spstudio {
namespace {

using Paths = std::vector<std::string>;

ModuleNode tree_with_dict() {
  ModuleNode root = testing::fixture_tree();
  ModuleNode dict;
  dict.name = "all_final_layer";
  dict.class_name = "torch::nn::ModuleDict";
  dict.kind = ModuleKind::Dict;
  dict.children = {testing::leaf("2-1", "FinalLayer", {"x"}), testing::leaf("main", "FinalLayer", {"x"})};
  root.children.push_back(dict);
  return root;
}

std::string path_error(const ModuleNode& root, const std::string& key) {
  try {
    resolve_module_path(root, key);
  } catch (const PathError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ModulePaths, RootAttributeIndexAndDictKey) {
  const ModuleNode root = tree_with_dict();
  EXPECT_EQ(resolve_module_path(root, ""), Paths{""});
  EXPECT_EQ(resolve_module_path(root, "proj_out"), Paths{"proj_out"});
  EXPECT_EQ(resolve_module_path(root, "blocks.2"), Paths{"blocks.2"});
  EXPECT_EQ(resolve_module_path(root, "blocks.0.attn"), Paths{"blocks.0.attn"});
  EXPECT_EQ(resolve_module_path(root, "all_final_layer.2-1"), Paths{"all_final_layer.2-1"});
  EXPECT_EQ(resolve_module_path(root, "all_final_layer.main"), Paths{"all_final_layer.main"});
}

TEST(ModulePaths, WildcardExpandsAModuleListInOrder) {
  const ModuleNode root = testing::fixture_tree();
  EXPECT_EQ(resolve_module_path(root, "blocks.*"), (Paths{"blocks.0", "blocks.1", "blocks.2"}));
  EXPECT_EQ(resolve_module_path(root, "blocks.*.attn"), (Paths{"blocks.0.attn", "blocks.1.attn", "blocks.2.attn"}));
}

TEST(ModulePaths, UnknownAtomNamesTheParent) {
  const ModuleNode root = testing::fixture_tree();
  EXPECT_EQ(path_error(root, "proj"), "'proj' is not a submodule of the root (TestDiT) (in plan key 'proj')");
  EXPECT_EQ(path_error(root, "blocks.7"),
            "'7' is not a submodule of 'blocks' (torch::nn::ModuleList) (in plan key 'blocks.7')");
  EXPECT_EQ(path_error(root, "blocks.*.mlp"),
            "'mlp' is not a submodule of 'blocks.0' (Block) (in plan key 'blocks.*.mlp')");
}

TEST(ModulePaths, WildcardRules) {
  ModuleNode root = testing::fixture_tree();
  // A ModuleList of ModuleLists, to make a two-wildcard key resolvable apart from that rule.
  root.children[3].children[0].kind = ModuleKind::List;
  EXPECT_EQ(path_error(root, "blocks.*.*"), "'*' may be used only once in a plan key ('blocks.*.*')");
  EXPECT_EQ(path_error(root, "proj_out.*"),
            "'*' needs a ModuleList, but 'proj_out' (Linear) is not one (in plan key 'proj_out.*')");
  EXPECT_EQ(path_error(root, "blocks..attn"), "plan key 'blocks..attn' has an empty path segment");
}

TEST(ModulePaths, FindAndOrder) {
  const ModuleNode root = testing::fixture_tree();
  ASSERT_NE(find_module(root, "blocks.1.cross_attn"), nullptr);
  EXPECT_EQ(find_module(root, "blocks.1.cross_attn")->class_name, "CrossAttention");
  EXPECT_EQ(find_module(root, "blocks.9"), nullptr);
  const Paths order = module_paths_in_order(root);
  EXPECT_EQ(order.front(), "");
  EXPECT_EQ(order[3], "rope_prepare");
  EXPECT_EQ(order[4], "blocks");
  EXPECT_EQ(order[5], "blocks.0");
  EXPECT_EQ(order[6], "blocks.0.attn");
  EXPECT_EQ(order.back(), "proj_out");
}

}  // namespace
}  // namespace spstudio
