// SPDX-License-Identifier: Apache-2.0
// Flux's conditioning embeddings (diffusers' names): the timestep / guidance / pooled-text vector
// that modulates every block (`time_text_embed`), and the rope module (`pos_embed`) that turns
// position ids into rotary tables.
#pragma once

#include <torch/nn/pimpl.h>

#include "models/flux/config.h"
#include "models/layers/linear.h"

namespace spstudio::models::flux {

/// Sinusoidal timestep features as diffusers' Timesteps(256, flip_sin_to_cos=True,
/// downscale_freq_shift=0): [cos | sin] of t · 10000^(-i/half), computed in float32.
at::Tensor timestep_features(const at::Tensor& timestep, std::int64_t dim = 256);

/// linear_2(silu(linear_1(x))): diffusers' TimestepEmbedding and PixArtAlphaTextProjection(act "silu").
class MlpEmbeddingImpl : public sp::HookableModule {
 public:
  MlpEmbeddingImpl(std::string class_name, std::int64_t in_features, std::int64_t hidden);
  at::Tensor forward(const at::Tensor& x) { return call({x}).toTensor(); }

  Linear linear_1{nullptr}, linear_2{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(MlpEmbedding);

/// time_text_embed(timestep, guidance, pooled_projection) → temb [B, inner]:
/// timestep_embedder(t) [+ guidance_embedder(g)] + text_embedder(pooled). Timestep and guidance
/// arrive already scaled to [0, 1000]. guidance_embedder exists only with guidance_embeds.
class CombinedTimestepTextProjEmbeddingsImpl : public sp::HookableModule {
 public:
  explicit CombinedTimestepTextProjEmbeddingsImpl(const FluxTransformerConfig& c);

  MlpEmbedding timestep_embedder{nullptr}, guidance_embedder{nullptr}, text_embedder{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(CombinedTimestepTextProjEmbeddings);

/// pos_embed(img_ids [S, 3], txt_ids [T, 3]) → (txt_cos, txt_sin, img_cos, img_sin), float32
/// tables [N, head_dim]. Diffusers computes one table over [text | image]; returning the image
/// tables as their own outputs is what lets a plan shard them (split_output 2 and 3) while the text
/// tables stay replicated — the values are identical.
class FluxPosEmbedImpl : public sp::HookableModule {
 public:
  explicit FluxPosEmbedImpl(const FluxTransformerConfig& c);
  std::vector<at::Tensor> forward(const at::Tensor& img_ids, const at::Tensor& txt_ids) {
    return sp::to_tensors(call({img_ids, txt_ids}));
  }

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::vector<std::int64_t> axes_dims_;
  double theta_;
};
TORCH_MODULE(FluxPosEmbed);

}  // namespace spstudio::models::flux
