// SPDX-License-Identifier: Apache-2.0
#include "models/flux/embeddings.h"

#include <cmath>

#include "models/layers/rotary.h"

namespace spstudio::models::flux {

at::Tensor timestep_features(const at::Tensor& timestep, std::int64_t dim) {
  const std::int64_t half = dim / 2;
  const at::Tensor t = timestep.to(at::kFloat);
  const at::Tensor freqs = at::exp(at::arange(half, t.options()) * (-std::log(10000.0) / static_cast<double>(half)));
  const at::Tensor angles = t.unsqueeze(1) * freqs.unsqueeze(0);
  return at::cat({angles.cos(), angles.sin()}, 1);  // flip_sin_to_cos: cos first
}

MlpEmbeddingImpl::MlpEmbeddingImpl(std::string class_name, std::int64_t in_features, std::int64_t hidden)
    : sp::HookableModule(std::move(class_name), {"x"}) {
  linear_1 = register_module("linear_1", Linear(in_features, hidden));
  linear_2 = register_module("linear_2", Linear(hidden, hidden));
}

sp::Value MlpEmbeddingImpl::forward_impl(const sp::BoundArgs& args) {
  return linear_2(at::silu(linear_1(args.tensor("x"))));
}

CombinedTimestepTextProjEmbeddingsImpl::CombinedTimestepTextProjEmbeddingsImpl(const FluxTransformerConfig& c)
    : sp::HookableModule(
          c.guidance_embeds ? "CombinedTimestepGuidanceTextProjEmbeddings" : "CombinedTimestepTextProjEmbeddings",
          {"timestep", "guidance", "pooled_projection"}) {
  const std::int64_t inner = c.inner_dim();
  timestep_embedder = register_module("timestep_embedder", MlpEmbedding("TimestepEmbedding", 256, inner));
  if (c.guidance_embeds)
    guidance_embedder = register_module("guidance_embedder", MlpEmbedding("TimestepEmbedding", 256, inner));
  text_embedder =
      register_module("text_embedder", MlpEmbedding("PixArtAlphaTextProjection", c.pooled_projection_dim, inner));
}

sp::Value CombinedTimestepTextProjEmbeddingsImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor pooled = args.tensor("pooled_projection");
  const at::ScalarType dtype = pooled.scalar_type();
  at::Tensor temb = timestep_embedder(timestep_features(args.tensor("timestep")).to(dtype));
  if (guidance_embedder) {
    if (args["guidance"].isNone())
      throw std::invalid_argument("this Flux transformer has guidance_embeds: pass a guidance value (FLUX.1-dev)");
    temb = temb + guidance_embedder(timestep_features(args.tensor("guidance")).to(dtype));
  }
  return temb + text_embedder(pooled);
}

FluxPosEmbedImpl::FluxPosEmbedImpl(const FluxTransformerConfig& c)
    : sp::HookableModule("FluxPosEmbed", {"img_ids", "txt_ids"}), axes_dims_(c.axes_dims_rope), theta_(c.rope_theta) {}

sp::Value FluxPosEmbedImpl::forward_impl(const sp::BoundArgs& args) {
  auto [txt_cos, txt_sin] = rope_tables(args.tensor("txt_ids").to(at::kFloat), axes_dims_, theta_);
  auto [img_cos, img_sin] = rope_tables(args.tensor("img_ids").to(at::kFloat), axes_dims_, theta_);
  return sp::make_tuple({txt_cos, txt_sin, img_cos, img_sin});
}

}  // namespace spstudio::models::flux
