// SPDX-License-Identifier: Apache-2.0
// Flux's transformer blocks (diffusers' names). Both take and return the text and image streams
// separately — (hidden_states, encoder_hidden_states, temb, image_rotary_emb) →
// (hidden_states, encoder_hidden_states) — so the image rows can be sharded while the text rows stay
// whole. The single-stream block is diffusers' concatenated [text | image] block computed per stream:
// its weights are shared and its only cross-token step is the joint attention.
#pragma once

#include "models/flux/attention.h"
#include "models/flux/layers.h"

namespace spstudio::models::flux {

class FluxTransformerBlockImpl : public sp::HookableModule {
 public:
  explicit FluxTransformerBlockImpl(const FluxTransformerConfig& c);

  AdaLayerNormZero norm1{nullptr}, norm1_context{nullptr};
  FluxAttention attn{nullptr};
  LayerNorm norm2{nullptr}, norm2_context{nullptr};
  FeedForward ff{nullptr}, ff_context{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(FluxTransformerBlock);

class FluxSingleTransformerBlockImpl : public sp::HookableModule {
 public:
  explicit FluxSingleTransformerBlockImpl(const FluxTransformerConfig& c);

  AdaLayerNormZero norm{nullptr};
  Linear proj_mlp{nullptr};
  FluxAttention attn{nullptr};
  Linear proj_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(FluxSingleTransformerBlock);

}  // namespace spstudio::models::flux
