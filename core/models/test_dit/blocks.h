// SPDX-License-Identifier: Apache-2.0
// The test DiT's embeddings, modulated norms and transformer blocks (Flux-shaped).
#pragma once

#include "models/layers/linear.h"
#include "models/test_dit/attention_modules.h"

namespace spstudio::models {

/// Sinusoidal features of the timestep through a 2-layer MLP: [B] → [B, hidden].
class TimestepEmbeddingImpl : public sp::HookableModule {
 public:
  explicit TimestepEmbeddingImpl(std::int64_t hidden, std::int64_t frequency_dim = 64);
  at::Tensor forward(const at::Tensor& timestep) { return call({timestep}).toTensor(); }

  Linear linear_1{nullptr}, linear_2{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t frequency_dim_;
};
TORCH_MODULE(TimestepEmbedding);

/// LayerNorm modulated by the timestep: `chunks` vectors of width hidden from linear(silu(temb));
/// the first two are shift and scale of the normalised input. Returns (normed, rest...).
class AdaLayerNormImpl : public sp::HookableModule {
 public:
  AdaLayerNormImpl(std::int64_t hidden, std::int64_t chunks);
  std::vector<at::Tensor> forward(const at::Tensor& x, const at::Tensor& temb) {
    return sp::to_tensors(call({x, temb}));
  }

  Linear linear{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t hidden_, chunks_;
};
TORCH_MODULE(AdaLayerNorm);

/// linear_out(gelu_tanh(linear_in(x))).
class FeedForwardImpl : public sp::HookableModule {
 public:
  FeedForwardImpl(std::int64_t hidden, std::int64_t inner);
  at::Tensor forward(const at::Tensor& x) { return call({x}).toTensor(); }

  Linear linear_in{nullptr}, linear_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(FeedForward);

/// Block signature: (hidden_states, encoder_hidden_states, temb, image_rotary_emb) →
/// (hidden_states, encoder_hidden_states).
class JointTransformerBlockImpl : public sp::HookableModule {
 public:
  explicit JointTransformerBlockImpl(const TestDiTConfig& c);

  AdaLayerNorm norm1{nullptr}, norm1_context{nullptr};
  JointAttention attn{nullptr};
  LayerNorm norm_cross{nullptr};
  CrossAttention cross_attn{nullptr};
  LayerNorm norm2{nullptr}, norm2_context{nullptr};
  FeedForward ff{nullptr}, ff_context{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(JointTransformerBlock);

class SingleTransformerBlockImpl : public sp::HookableModule {
 public:
  explicit SingleTransformerBlockImpl(const TestDiTConfig& c);

  AdaLayerNorm norm{nullptr};
  Linear proj_mlp{nullptr};
  JointAttention attn{nullptr};
  Linear proj_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(SingleTransformerBlock);

}  // namespace spstudio::models
