// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <stdexcept>

#include "common/manifest.h"
#include "manifest_fixture.h"

namespace spstudio {
namespace {

bool same_tree(const ModuleNode& a, const ModuleNode& b) {
  if (a.name != b.name || a.class_name != b.class_name || a.kind != b.kind || a.hookable != b.hookable ||
      a.signature != b.signature || a.inputs != b.inputs || a.output != b.output ||
      a.attention.has_value() != b.attention.has_value() || a.children.size() != b.children.size())
    return false;
  if (a.attention && (a.attention->heads != b.attention->heads || a.attention->kv_heads != b.attention->kv_heads ||
                      a.attention->skip_sequence_parallel != b.attention->skip_sequence_parallel))
    return false;
  for (std::size_t i = 0; i < a.children.size(); ++i)
    if (!same_tree(a.children[i], b.children[i])) return false;
  return true;
}

TEST(Manifest, JsonRoundTrip) {
  ModelManifest m;
  m.model = "TestDiT";
  m.resolution = std::make_pair(128, 96);
  m.root = testing::fixture_tree({48, 5, 6, 2});
  const ModelManifest back = manifest_from_json(manifest_to_json(m));
  EXPECT_EQ(back.model, "TestDiT");
  EXPECT_EQ(back.resolution, m.resolution);
  EXPECT_TRUE(same_tree(back.root, m.root));
  EXPECT_EQ(back.root.children[3].children[1].children[0].attention->kv_heads, 2);
}

TEST(Manifest, ShippedPlanRoundTripsAsAnObject) {
  ModelManifest m;
  m.model = "TestDiT";
  m.root = testing::fixture_tree({48, 5, 6, 2});
  m.shipped_plan = R"({"entries":{"proj_out":{"gather":[{"dim":1}]}},"format":"spstudio-plan/1"})";
  const ModelManifest back = manifest_from_json(manifest_to_json(m));
  EXPECT_EQ(back.shipped_plan, m.shipped_plan);
  EXPECT_NE(manifest_to_json(m).find("\"shipped_plan\": {"), std::string::npos);  // an object, not a string
  m.shipped_plan.clear();
  EXPECT_EQ(manifest_to_json(m).find("shipped_plan"), std::string::npos);
  const std::string bad =
      R"({"format": "spstudio-manifest/1", "model": "M", "shipped_plan": "x", "root": {"class": "M"}})";
  try {
    manifest_from_json(bad);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "manifest: shipped_plan: expected a plan object");
  }
}

TEST(Manifest, ErrorsNameTheNode) {
  const std::string bad = R"({"format": "spstudio-manifest/1", "model": "M",
    "root": {"class": "M", "children": [{"name": "blocks", "class": "L", "kind": "set"}]}})";
  try {
    manifest_from_json(bad);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "manifest: 'blocks': unknown kind 'set'");
  }
  EXPECT_THROW(manifest_from_json("{}"), std::runtime_error);
  EXPECT_THROW(manifest_from_json("[1,"), std::runtime_error);
}

TEST(Manifest, DescribeShape) {
  using VS = ValueShape;
  EXPECT_EQ(describe_shape(VS::list({VS::tensor({1, 64, 16}), VS::none(), VS::integer(8)})),
            "([1, 64, 16], None, int 8)");
}

}  // namespace
}  // namespace spstudio
