// SPDX-License-Identifier: Apache-2.0
#include "models/flux/transformer.h"

#include <ATen/CPUGeneratorImpl.h>

#include "common/profiling/range_names.h"
#include "models/builtin_plans.h"
#include "models/vae/flux_latents.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::models::flux {

sp::Args FluxTransformerInputs::args() const {
  return sp::Args{hidden_states,
                  encoder_hidden_states,
                  pooled_projections,
                  timestep,
                  img_ids,
                  txt_ids,
                  guidance.defined() ? sp::Value(guidance) : sp::Value()};
}

FluxTransformer2DModelImpl::FluxTransformer2DModelImpl(FluxTransformerConfig c)
    : sp::HookableModule("FluxTransformer2DModel", {"hidden_states", "encoder_hidden_states", "pooled_projections",
                                                    "timestep", "img_ids", "txt_ids", "guidance"}),
      config_(std::move(c)) {
  const FluxTransformerConfig& cfg = config_;
  const std::int64_t inner = cfg.inner_dim();
  // Registered in the order forward runs them: plan validation reasons in registration order.
  x_embedder = register_module("x_embedder", Linear(cfg.in_channels, inner));
  time_text_embed = register_module("time_text_embed", CombinedTimestepTextProjEmbeddings(cfg));
  context_embedder = register_module("context_embedder", Linear(cfg.joint_attention_dim, inner));
  pos_embed = register_module("pos_embed", FluxPosEmbed(cfg));
  transformer_blocks = register_module("transformer_blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < cfg.num_layers; ++i)
    transformer_blocks->push_back(FluxTransformerBlock(cfg));
  single_transformer_blocks = register_module("single_transformer_blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < cfg.num_single_layers; ++i)
    single_transformer_blocks->push_back(FluxSingleTransformerBlock(cfg));
  norm_out = register_module("norm_out", AdaLayerNormContinuous(inner));
  proj_out = register_module("proj_out", Linear(inner, cfg.patch_size * cfg.patch_size * cfg.out_channels));
}

at::Tensor FluxTransformer2DModelImpl::forward(const FluxTransformerInputs& inputs) {
  const sp::ScopedRange range(range_names::kTransformer);  // around call(): the root split hook is inside
  return call(inputs.args()).toTensor();
}

sp::Value FluxTransformer2DModelImpl::forward_impl(const sp::BoundArgs& args) {
  at::Tensor x = x_embedder(args.tensor("hidden_states"));
  const at::ScalarType dtype = x.scalar_type();
  // The pipeline passes t/1000 ∈ [0, 1]; the embeddings were trained on [0, 1000].
  const at::Tensor timestep = args.tensor("timestep").to(dtype) * 1000;
  const sp::Value guidance =
      args["guidance"].isNone() ? sp::Value() : sp::Value(args.tensor("guidance").to(dtype) * 1000);
  const at::Tensor temb =
      time_text_embed->call({timestep, guidance, args.tensor("pooled_projections").to(dtype)}).toTensor();
  at::Tensor ctx = context_embedder(args.tensor("encoder_hidden_states"));
  const sp::Value rope = pos_embed->call({args["img_ids"], args["txt_ids"]});
  auto run = [&](torch::nn::ModuleList& blocks) {
    for (const auto& block : *blocks) {
      const auto out = sp::to_tensors(block->as<sp::HookableModule>()->call({x, ctx, temb, rope}));
      x = out[0];
      ctx = out[1];
    }
  };
  run(transformer_blocks);
  run(single_transformer_blocks);
  return proj_out(norm_out(x, temb));
}

FluxTransformerInputs make_flux_inputs(const FluxTransformerConfig& c, std::int64_t grid_h, std::int64_t grid_w,
                                       std::int64_t text_tokens, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  FluxTransformerInputs in;
  in.hidden_states = at::randn({1, grid_h * grid_w, c.in_channels}, gen);
  in.encoder_hidden_states = at::randn({1, text_tokens, c.joint_attention_dim}, gen);
  in.pooled_projections = at::randn({1, c.pooled_projection_dim}, gen);
  in.timestep = at::full({1}, 0.61);
  in.img_ids = latent_image_ids(grid_h, grid_w);
  in.txt_ids = at::zeros({text_tokens, 3});
  if (c.guidance_embeds) in.guidance = at::full({1}, 3.5);
  return in;
}

SequenceParallelPlan flux_plan() {
  return builtin_plan("flux");
}

}  // namespace spstudio::models::flux
