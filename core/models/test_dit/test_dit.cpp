// SPDX-License-Identifier: Apache-2.0
#include "models/test_dit/test_dit.h"

#include <ATen/CPUGeneratorImpl.h>

#include "models/builtin_plans.h"
#include "models/layers/seeded_init.h"

namespace spstudio::models {

sp::Args TestDiTInputs::args() const {
  return sp::Args{hidden_states, encoder_hidden_states, timestep, img_ids, txt_ids};
}

TestDiTInputs TestDiTInputs::to(at::ScalarType dtype) const {
  return {hidden_states.to(dtype), encoder_hidden_states.to(dtype), timestep.to(dtype), img_ids.to(dtype),
          txt_ids.to(dtype)};
}

TestDiTInputs make_test_dit_inputs(const TestDiTConfig& c, std::int64_t grid_h, std::int64_t grid_w,
                                   std::int64_t text_tokens, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  TestDiTInputs in;
  in.hidden_states = at::randn({1, grid_h * grid_w, c.in_channels}, gen);
  in.encoder_hidden_states = at::randn({1, text_tokens, c.text_dim}, gen);
  in.timestep = at::full({1}, 0.37);
  const at::Tensor rows = at::arange(grid_h).repeat_interleave(grid_w);
  const at::Tensor cols = at::arange(grid_w).repeat({grid_h});
  in.img_ids = at::stack({rows, cols}, 1).to(at::kFloat);
  in.txt_ids = at::zeros({text_tokens, 2});
  return in;
}

TestDiTImpl::TestDiTImpl(TestDiTConfig c)
    : sp::HookableModule("TestDiT", {"hidden_states", "encoder_hidden_states", "timestep", "img_ids", "txt_ids"}),
      config_(c) {
  const std::int64_t h = c.hidden();
  x_embedder = register_module("x_embedder", Linear(c.in_channels, h));
  context_embedder = register_module("context_embedder", Linear(c.text_dim, h));
  time_embed = register_module("time_embed", TimestepEmbedding(h));
  rope_prepare = register_module("rope_prepare", RopePrepare(c));
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < c.double_blocks; ++i)
    transformer_blocks->push_back(JointTransformerBlock(c));
  single_transformer_blocks = register_module("single_transformer_blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < c.single_blocks; ++i)
    single_transformer_blocks->push_back(SingleTransformerBlock(c));
  norm_out = register_module("norm_out", AdaLayerNorm(h, 2));
  proj_out = register_module("proj_out", Linear(h, c.in_channels));
}

void TestDiTImpl::init_weights(std::uint64_t seed) {
  init_seeded_weights(*this, seed);
}

sp::Value TestDiTImpl::forward_impl(const sp::BoundArgs& args) {
  at::Tensor x = x_embedder(args.tensor("hidden_states"));
  at::Tensor ctx = context_embedder(args.tensor("encoder_hidden_states"));
  const at::Tensor temb = time_embed(args.tensor("timestep"));
  const sp::Value rope = rope_prepare->call({args["img_ids"], args["txt_ids"]});
  auto run = [&](torch::nn::ModuleList& blocks) {
    for (const auto& block : *blocks) {
      const auto out = sp::to_tensors(block->as<sp::HookableModule>()->call({x, ctx, temb, rope}));
      x = out[0];
      ctx = out[1];
    }
  };
  run(transformer_blocks);
  run(single_transformer_blocks);
  return proj_out(norm_out(x, temb)[0]);
}

SequenceParallelPlan test_dit_plan(const TestDiTConfig& config) {
  return builtin_plan(config.joint_rope_table ? "test_dit_joint_rope" : "test_dit");
}

}  // namespace spstudio::models
