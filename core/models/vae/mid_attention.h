// SPDX-License-Identifier: Apache-2.0
// The single-head spatial self-attention of the VAE's mid block (diffusers' Attention with
// group_norm, residual_connection=True, heads = 1, head dim = channels).
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace spstudio::models {

/// x + to_out.0(softmax(q·kᵀ/√C)·v) with q, k, v = to_q/to_k/to_v(group_norm(x)) over the H·W pixels.
class MidBlockAttentionImpl : public torch::nn::Module {
 public:
  MidBlockAttentionImpl(std::int64_t channels, std::int64_t groups);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::GroupNorm group_norm{nullptr};
  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  /// diffusers keeps [Linear, Dropout] here, so the projection's keys are `to_out.0.*`.
  torch::nn::ModuleList to_out{nullptr};

  /// A 1024² Flux image has 128² = 16384 pixels in the mid block: one full score matrix would be
  /// 1 GiB in float32. Queries are processed in chunks so that at most this many scores exist at
  /// once (2^26 = 256 MiB in float32); tests lower it to exercise the chunking.
  std::int64_t max_scores_per_chunk = std::int64_t{1} << 26;
};
TORCH_MODULE(MidBlockAttention);

}  // namespace spstudio::models
