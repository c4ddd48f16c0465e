// SPDX-License-Identifier: Apache-2.0
// The test DiT's attention modules: projections around one sp::Attention layer each.
#pragma once

#include "models/layers/linear.h"
#include "models/test_dit/config.h"
#include "models/test_dit/rope.h"
#include "sp/attention/attention.h"

namespace spstudio::models {

/// Joint text+image attention; the text rows join the attention as joint tokens (front).
/// Dual-stream (double blocks): text has its own q/k/v and output projections, and the result is
/// (to_out(image), to_add_out(text)). Single-stream: text and image share the projections and the
/// result is (image, text) before any output projection (as diffusers' FluxAttention with and
/// without added_kv_proj_dim).
class JointAttentionImpl : public sp::HookableModule {
 public:
  JointAttentionImpl(const TestDiTConfig& c, bool dual_stream);
  std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& hidden_states, const at::Tensor& encoder_hidden_states,
                                            const sp::Value& image_rotary_emb);

  Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  RMSNorm norm_q{nullptr}, norm_k{nullptr};
  sp::Attention attention{nullptr};
  // Dual-stream only.
  Linear add_q_proj{nullptr}, add_k_proj{nullptr}, add_v_proj{nullptr};
  RMSNorm norm_added_q{nullptr}, norm_added_k{nullptr};
  Linear to_out{nullptr}, to_add_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t heads_, kv_heads_, head_dim_;
  bool dual_stream_;
};
TORCH_MODULE(JointAttention);

/// Cross-attention from image queries to the (replicated) text: runs locally under SP.
class CrossAttentionImpl : public sp::HookableModule {
 public:
  explicit CrossAttentionImpl(const TestDiTConfig& c);
  at::Tensor forward(const at::Tensor& hidden_states, const at::Tensor& context) {
    return call({hidden_states, context}).toTensor();
  }

  Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr}, to_out{nullptr};
  sp::Attention attention{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t heads_;
};
TORCH_MODULE(CrossAttention);

}  // namespace spstudio::models
