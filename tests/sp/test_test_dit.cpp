// SPDX-License-Identifier: Apache-2.0
// The test DiT fixture in one process: its plans validate against its live module tree, a P = 1
// plan changes nothing, and float32 agrees with float64.
#include <gtest/gtest.h>

#include "common/module_paths.h"
#include "common/plan_validation.h"
#include "models/builtin_plans.h"
#include "models/test_dit/test_dit.h"
#include "sp/apply_plan.h"

namespace spstudio::models {
namespace {

TestDiT make_dit(TestDiTConfig c = {}) {
  TestDiT dit(c);
  dit->init_weights(7);
  return dit;
}

TEST(TestDiT, ShippedPlansValidateAgainstTheLiveTree) {
  for (const bool joint : {false, true}) {
    TestDiTConfig c;
    c.joint_rope_table = joint;
    TestDiT dit = make_dit(c);
    const ModuleNode tree = sp::describe_module_tree(*dit);
    for (const ParallelConfig pc : {ParallelConfig{1, 1}, {2, 1}, {1, 2}, {2, 2}, {4, 1}, {1, 4}}) {
      const auto issues = validate_plan(test_dit_plan(c), &tree, {pc, {}});
      EXPECT_FALSE(has_errors(issues)) << pc.to_string() << (joint ? " joint" : "") << ": "
                                       << (issues.empty() ? "" : issues[0].to_string());
    }
  }
  EXPECT_EQ(builtin_plan_names(), (std::vector<std::string>{"flux", "test_dit", "test_dit_joint_rope"}));
  EXPECT_THROW(builtin_plan("flux-nope"), std::out_of_range);
}

TEST(TestDiT, ManifestShowsAttentionLayersAndSignatures) {
  const ModuleNode tree = sp::describe_module_tree(*make_dit());
  const ModuleNode* attn = find_module(tree, "transformer_blocks.0.attn.attention");
  ASSERT_NE(attn, nullptr);
  ASSERT_TRUE(attn->attention.has_value());
  EXPECT_EQ(attn->attention->heads, 4);
  EXPECT_FALSE(attn->attention->skip_sequence_parallel);
  const ModuleNode* cross = find_module(tree, "transformer_blocks.1.cross_attn.attention");
  ASSERT_NE(cross, nullptr);
  EXPECT_TRUE(cross->attention->skip_sequence_parallel);
  EXPECT_EQ(find_module(tree, "rope_prepare")->signature, (std::vector<std::string>{"img_ids", "txt_ids"}));
  EXPECT_EQ(find_module(tree, "transformer_blocks")->kind, ModuleKind::List);
  // Parameter names are the state-dict keys.
  TestDiT dit = make_dit();
  EXPECT_TRUE(dit->named_parameters().contains("transformer_blocks.0.attn.to_q.weight"));
  EXPECT_TRUE(dit->named_parameters().contains("proj_out.bias"));
  EXPECT_FALSE(dit->named_parameters().contains("transformer_blocks.0.attn.attention.weight"));
}

TEST(TestDiT, APlanAtSizeOneChangesNothing) {
  TestDiT dit = make_dit();
  const TestDiTInputs in = make_test_dit_inputs(dit->config(), 5, 7, 6, 11);  // 35 tokens
  const at::Tensor plain = dit->forward(in);
  EXPECT_EQ(plain.sizes(), at::IntArrayRef({1, 35, 16}));
  sp::apply_sequence_parallel(*dit, test_dit_plan(dit->config()), sp::SpContext::single_process());
  EXPECT_TRUE(dit->forward(in).equal(plain));
}

TEST(TestDiT, Float32AgreesWithFloat64AndRopeLayoutsAgree) {
  TestDiTConfig joint_config;
  joint_config.joint_rope_table = true;
  TestDiT dit = make_dit(), joint = make_dit(joint_config);
  const TestDiTInputs in = make_test_dit_inputs(dit->config(), 4, 4, 5, 3);
  const at::Tensor f32 = dit->forward(in);
  EXPECT_TRUE(joint->forward(in).allclose(f32, 1e-5, 1e-5));
  dit->to(at::kDouble);
  const at::Tensor f64 = dit->forward(in.to(at::kDouble));
  const double rel = (f32.to(at::kDouble) - f64).abs().max().item<double>() / f64.abs().max().item<double>();
  EXPECT_LT(rel, 1e-5);
  EXPECT_GT(f64.abs().max().item<double>(), 0.1);  // not a degenerate output
}

}  // namespace
}  // namespace spstudio::models
