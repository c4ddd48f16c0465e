// SPDX-License-Identifier: Apache-2.0
#include "models/text/t5_layers.h"

#include <cmath>
#include <limits>

namespace spstudio::models {
namespace {

torch::nn::Linear dense(std::int64_t in, std::int64_t out) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
}

// transformers clamps float16 activations after each sub-layer so an overflow does not poison
// the following layers with inf.
at::Tensor clamp_float16(const at::Tensor& x) {
  if (x.scalar_type() != at::kHalf) return x;
  const double max = 65504.0;  // finfo(float16).max
  const double limit = at::isinf(x).any().item<bool>() ? max - 1000.0 : max;
  return at::clamp(x, -limit, limit);
}

}  // namespace

at::Tensor t5_relative_position_bucket(const at::Tensor& relative_position, bool bidirectional,
                                       std::int64_t num_buckets, std::int64_t max_distance) {
  at::Tensor relative = relative_position.to(at::kLong);
  at::Tensor buckets = at::zeros_like(relative);
  if (bidirectional) {
    num_buckets /= 2;
    buckets = buckets + relative.gt(0).to(at::kLong) * num_buckets;
    relative = relative.abs();
  } else {
    relative = -at::clamp_max(relative, 0);
  }
  const std::int64_t max_exact = num_buckets / 2;
  const at::Tensor is_small = relative.lt(max_exact);
  // Float32 arithmetic as in transformers (the double divisor is applied as a float scalar), so
  // bucket edges agree; clamp_min keeps log() finite where the exact branch is taken anyway.
  at::Tensor large = at::log(relative.clamp_min(1).to(at::kFloat) / static_cast<double>(max_exact)) /
                     std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)) *
                     static_cast<double>(num_buckets - max_exact);
  large = at::clamp_max(large.to(at::kLong) + max_exact, num_buckets - 1);
  return buckets + at::where(is_small, relative, large);
}

T5LayerNormImpl::T5LayerNormImpl(std::int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", at::ones({dim}));
}

at::Tensor T5LayerNormImpl::forward(const at::Tensor& hidden_states) {
  const at::ScalarType compute = hidden_states.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  const at::Tensor variance = hidden_states.to(compute).pow(2).mean(-1, /*keepdim=*/true);
  at::Tensor normed = hidden_states.to(compute) * at::rsqrt(variance + eps_);
  if (weight.scalar_type() == at::kHalf || weight.scalar_type() == at::kBFloat16) {
    normed = normed.to(weight.scalar_type());
  }
  return weight * normed;
}

T5AttentionImpl::T5AttentionImpl(const T5Config& c, bool has_relative_attention_bias)
    : heads_(c.num_heads),
      d_kv_(c.d_kv),
      num_buckets_(c.relative_attention_num_buckets),
      max_distance_(c.relative_attention_max_distance) {
  q = register_module("q", dense(c.d_model, c.inner_dim()));
  k = register_module("k", dense(c.d_model, c.inner_dim()));
  v = register_module("v", dense(c.d_model, c.inner_dim()));
  o = register_module("o", dense(c.inner_dim(), c.d_model));
  if (has_relative_attention_bias) {
    relative_attention_bias =
        register_module("relative_attention_bias", torch::nn::Embedding(c.relative_attention_num_buckets, c.num_heads));
  }
}

at::Tensor T5AttentionImpl::compute_bias(std::int64_t query_length, std::int64_t key_length) {
  const at::Tensor& table = relative_attention_bias->weight;
  const auto positions = at::TensorOptions().dtype(at::kLong).device(table.device());
  const at::Tensor context = at::arange(query_length, positions).unsqueeze(1);
  const at::Tensor memory = at::arange(key_length, positions).unsqueeze(0);
  const at::Tensor buckets =
      t5_relative_position_bucket(memory - context, /*bidirectional=*/true, num_buckets_, max_distance_);
  return at::embedding(table, buckets).permute({2, 0, 1}).unsqueeze(0);  // [1, heads, q, k]
}

at::Tensor T5AttentionImpl::forward(const at::Tensor& hidden_states, const at::Tensor& position_bias) {
  const std::int64_t batch = hidden_states.size(0), length = hidden_states.size(1);
  auto heads = [&](const at::Tensor& x) { return x.view({batch, length, heads_, d_kv_}).transpose(1, 2); };
  const at::Tensor query = heads(q(hidden_states)), key = heads(k(hidden_states)), value = heads(v(hidden_states));
  // No 1/sqrt(d_kv): T5 folds the scale into its weight initialisation.
  at::Tensor scores = at::matmul(query, key.transpose(-2, -1)) + position_bias;
  const at::ScalarType softmax_type = scores.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
  const at::Tensor probs = at::softmax(scores.to(softmax_type), -1).to(scores.scalar_type());
  const at::Tensor context =
      at::matmul(probs.to(value.scalar_type()), value).transpose(1, 2).reshape({batch, length, heads_ * d_kv_});
  return o(context);
}

T5DenseActDenseImpl::T5DenseActDenseImpl(const T5Config& c) : activation_(c.dense_activation()) {
  if (c.is_gated_act()) {
    wi_0 = register_module("wi_0", dense(c.d_model, c.d_ff));
    wi_1 = register_module("wi_1", dense(c.d_model, c.d_ff));
  } else {
    wi = register_module("wi", dense(c.d_model, c.d_ff));
  }
  wo = register_module("wo", dense(c.d_ff, c.d_model));
}

at::Tensor T5DenseActDenseImpl::forward(const at::Tensor& hidden_states) {
  at::Tensor h = !wi.is_empty() ? apply_activation(activation_, wi(hidden_states))
                                : apply_activation(activation_, wi_0(hidden_states)) * wi_1(hidden_states);
  // transformers keeps `wo` in float32 when the rest runs in float16: follow its dtype.
  return wo(h.to(wo->weight.scalar_type()));
}

T5LayerSelfAttentionImpl::T5LayerSelfAttentionImpl(const T5Config& c, bool has_relative_attention_bias) {
  SelfAttention = register_module("SelfAttention", T5Attention(c, has_relative_attention_bias));
  layer_norm = register_module("layer_norm", T5LayerNorm(c.d_model, c.layer_norm_epsilon));
}

at::Tensor T5LayerSelfAttentionImpl::forward(const at::Tensor& hidden_states, const at::Tensor& position_bias) {
  return hidden_states + SelfAttention->forward(layer_norm(hidden_states), position_bias);
}

T5LayerFFImpl::T5LayerFFImpl(const T5Config& c) {
  DenseReluDense = register_module("DenseReluDense", T5DenseActDense(c));
  layer_norm = register_module("layer_norm", T5LayerNorm(c.d_model, c.layer_norm_epsilon));
}

at::Tensor T5LayerFFImpl::forward(const at::Tensor& hidden_states) {
  return hidden_states + DenseReluDense(layer_norm(hidden_states));
}

T5BlockImpl::T5BlockImpl(const T5Config& c, bool has_relative_attention_bias) {
  self_attention_layer = T5LayerSelfAttention(c, has_relative_attention_bias);
  feed_forward_layer = T5LayerFF(c);
  layer = register_module("layer", torch::nn::ModuleList(self_attention_layer, feed_forward_layer));
}

at::Tensor T5BlockImpl::forward(const at::Tensor& hidden_states, const at::Tensor& position_bias) {
  const at::Tensor attended = clamp_float16(self_attention_layer->forward(hidden_states, position_bias));
  return clamp_float16(feed_forward_layer(attended));
}

}  // namespace spstudio::models
