// SPDX-License-Identifier: Apache-2.0
// The parts of transformers' T5 encoder, with its module names: RMS layer norm, self-attention with
// relative position buckets (and no 1/sqrt(d) scaling), the (gated) feed-forward, and the block
// `layer.0` (SelfAttention + layer_norm) / `layer.1` (DenseReluDense + layer_norm).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "models/text/t5_config.h"

namespace spstudio::models {

/// T5's bucket of each relative position (memory − query), as transformers computes it in float32:
/// bidirectional: half the buckets per direction; within a direction, positions below half of
/// those are exact and the rest grow logarithmically up to max_distance, then saturate.
at::Tensor t5_relative_position_bucket(const at::Tensor& relative_position, bool bidirectional,
                                       std::int64_t num_buckets, std::int64_t max_distance);

/// weight · x / sqrt(mean(x²) + eps): no mean subtraction, no bias; the variance in float32.
class T5LayerNormImpl : public torch::nn::Module {
 public:
  T5LayerNormImpl(std::int64_t dim, double eps);
  at::Tensor forward(const at::Tensor& hidden_states);

  at::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(T5LayerNorm);

class T5AttentionImpl : public torch::nn::Module {
 public:
  /// Only the first block owns `relative_attention_bias`; the others reuse its position bias.
  T5AttentionImpl(const T5Config& config, bool has_relative_attention_bias);
  /// [1, heads, q_len, k_len] from relative_attention_bias (bidirectional buckets).
  at::Tensor compute_bias(std::int64_t query_length, std::int64_t key_length);
  /// Self-attention of [B, L, d_model]; `position_bias` [1 or B, heads, L, L] already holds the mask.
  at::Tensor forward(const at::Tensor& hidden_states, const at::Tensor& position_bias);

  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  torch::nn::Embedding relative_attention_bias{nullptr};  ///< [num_buckets, heads], first block only

 private:
  std::int64_t heads_, d_kv_, num_buckets_, max_distance_;
};
TORCH_MODULE(T5Attention);

/// `DenseReluDense`: wo(act(wi(x))), or wo(act(wi_0(x)) · wi_1(x)) when gated.
class T5DenseActDenseImpl : public torch::nn::Module {
 public:
  explicit T5DenseActDenseImpl(const T5Config& config);
  at::Tensor forward(const at::Tensor& hidden_states);

  torch::nn::Linear wi{nullptr};                   ///< not gated
  torch::nn::Linear wi_0{nullptr}, wi_1{nullptr};  ///< gated
  torch::nn::Linear wo{nullptr};

 private:
  Activation activation_;
};
TORCH_MODULE(T5DenseActDense);

class T5LayerSelfAttentionImpl : public torch::nn::Module {
 public:
  T5LayerSelfAttentionImpl(const T5Config& config, bool has_relative_attention_bias);
  at::Tensor forward(const at::Tensor& hidden_states, const at::Tensor& position_bias);  ///< x + attn(norm(x))

  T5Attention SelfAttention{nullptr};
  T5LayerNorm layer_norm{nullptr};
};
TORCH_MODULE(T5LayerSelfAttention);

class T5LayerFFImpl : public torch::nn::Module {
 public:
  explicit T5LayerFFImpl(const T5Config& config);
  at::Tensor forward(const at::Tensor& hidden_states);  ///< x + ff(norm(x))

  T5DenseActDense DenseReluDense{nullptr};
  T5LayerNorm layer_norm{nullptr};
};
TORCH_MODULE(T5LayerFF);

class T5BlockImpl : public torch::nn::Module {
 public:
  T5BlockImpl(const T5Config& config, bool has_relative_attention_bias);
  at::Tensor forward(const at::Tensor& hidden_states, const at::Tensor& position_bias);

  torch::nn::ModuleList layer{nullptr};  ///< [T5LayerSelfAttention, T5LayerFF]
  // Typed views of layer[0] and layer[1] (not registered twice).
  T5LayerSelfAttention self_attention_layer{nullptr};
  T5LayerFF feed_forward_layer{nullptr};
};
TORCH_MODULE(T5Block);

}  // namespace spstudio::models
