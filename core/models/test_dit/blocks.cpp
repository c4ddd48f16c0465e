// SPDX-License-Identifier: Apache-2.0
#include "models/test_dit/blocks.h"

#include <cmath>

#include "common/profiling/range_names.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::models {
namespace {

const std::vector<std::string> kBlockSignature = {"hidden_states", "encoder_hidden_states", "temb", "image_rotary_emb"};

/// x · (1 + scale) + shift, with per-sample [B, hidden] modulation.
at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale) {
  return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
}

at::Tensor gelu_tanh(const at::Tensor& x) {
  return at::gelu(x, "tanh");
}

}  // namespace

TimestepEmbeddingImpl::TimestepEmbeddingImpl(std::int64_t hidden, std::int64_t frequency_dim)
    : sp::HookableModule("TimestepEmbedding", {"timestep"}), frequency_dim_(frequency_dim) {
  linear_1 = register_module("linear_1", Linear(frequency_dim, hidden));
  linear_2 = register_module("linear_2", Linear(hidden, hidden));
}

sp::Value TimestepEmbeddingImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor t = args.tensor("timestep").to(linear_1->weight.scalar_type());
  const std::int64_t half = frequency_dim_ / 2;
  const at::Tensor freqs = at::exp(at::arange(half, t.options()) * (-std::log(10000.0) / half));
  const at::Tensor angles = t.unsqueeze(1) * freqs.unsqueeze(0);
  const at::Tensor features = at::cat({angles.cos(), angles.sin()}, 1);
  return linear_2(at::silu(linear_1(features)));
}

AdaLayerNormImpl::AdaLayerNormImpl(std::int64_t hidden, std::int64_t chunks)
    : sp::HookableModule("AdaLayerNorm", {"x", "temb"}), hidden_(hidden), chunks_(chunks) {
  linear = register_module("linear", Linear(hidden, chunks * hidden));
}

sp::Value AdaLayerNormImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("x");
  const std::vector<at::Tensor> mod = linear(at::silu(args.tensor("temb"))).chunk(chunks_, 1);
  std::vector<sp::Value> out;
  out.emplace_back(modulate(at::layer_norm(x, {hidden_}, {}, {}, 1e-6), mod[0], mod[1]));
  for (std::size_t i = 2; i < mod.size(); ++i)
    out.emplace_back(mod[i]);
  return sp::make_tuple(std::move(out));
}

FeedForwardImpl::FeedForwardImpl(std::int64_t hidden, std::int64_t inner) : sp::HookableModule("FeedForward", {"x"}) {
  linear_in = register_module("linear_in", Linear(hidden, inner));
  linear_out = register_module("linear_out", Linear(inner, hidden));
}

sp::Value FeedForwardImpl::forward_impl(const sp::BoundArgs& args) {
  return linear_out(gelu_tanh(linear_in(args.tensor("x"))));
}

JointTransformerBlockImpl::JointTransformerBlockImpl(const TestDiTConfig& c)
    : sp::HookableModule("JointTransformerBlock", kBlockSignature) {
  const std::int64_t h = c.hidden();
  norm1 = register_module("norm1", AdaLayerNorm(h, 6));
  norm1_context = register_module("norm1_context", AdaLayerNorm(h, 6));
  attn = register_module("attn", JointAttention(c, /*dual_stream=*/true));
  if (c.cross_attention) {
    norm_cross = register_module("norm_cross", LayerNorm(h));
    cross_attn = register_module("cross_attn", CrossAttention(c));
  }
  norm2 = register_module("norm2", LayerNorm(h, /*elementwise_affine=*/false));
  norm2_context = register_module("norm2_context", LayerNorm(h, false));
  ff = register_module("ff", FeedForward(h, h * c.mlp_ratio));
  ff_context = register_module("ff_context", FeedForward(h, h * c.mlp_ratio));
}

sp::Value JointTransformerBlockImpl::forward_impl(const sp::BoundArgs& args) {
  const sp::ScopedRange range(range_names::kBlock);
  at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("encoder_hidden_states");
  const at::Tensor temb = args.tensor("temb");
  // norm → (normed, gate_msa, shift_mlp, scale_mlp, gate_mlp)
  const auto n = norm1(x, temb), nc = norm1_context(ctx, temb);
  const auto [attn_x, attn_c] = attn(n[0], nc[0], args["image_rotary_emb"]);
  const at::Tensor text = ctx;  // cross-attention reads the block's input text
  x = x + n[1].unsqueeze(1) * attn_x;
  ctx = ctx + nc[1].unsqueeze(1) * attn_c;
  if (cross_attn) x = x + cross_attn(norm_cross(x), text);
  x = x + n[4].unsqueeze(1) * ff(modulate(norm2(x), n[2], n[3]));
  ctx = ctx + nc[4].unsqueeze(1) * ff_context(modulate(norm2_context(ctx), nc[2], nc[3]));
  return sp::make_tuple({x, ctx});
}

SingleTransformerBlockImpl::SingleTransformerBlockImpl(const TestDiTConfig& c)
    : sp::HookableModule("SingleTransformerBlock", kBlockSignature) {
  const std::int64_t h = c.hidden(), mlp = h * c.mlp_ratio;
  norm = register_module("norm", AdaLayerNorm(h, 3));
  proj_mlp = register_module("proj_mlp", Linear(h, mlp));
  attn = register_module("attn", JointAttention(c, /*dual_stream=*/false));
  proj_out = register_module("proj_out", Linear(h + mlp, h));
}

sp::Value SingleTransformerBlockImpl::forward_impl(const sp::BoundArgs& args) {
  const sp::ScopedRange range(range_names::kBlock);
  const at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("encoder_hidden_states");
  const at::Tensor temb = args.tensor("temb");
  const auto n = norm(x, temb), nc = norm(ctx, temb);  // (normed, gate): text and image rows share weights
  const auto [attn_x, attn_c] = attn(n[0], nc[0], args["image_rotary_emb"]);
  auto finish = [&](const at::Tensor& in, const std::vector<at::Tensor>& mod, const at::Tensor& a) {
    return in + mod[1].unsqueeze(1) * proj_out(at::cat({a, gelu_tanh(proj_mlp(mod[0]))}, -1));
  };
  return sp::make_tuple({finish(x, n, attn_x), finish(ctx, nc, attn_c)});
}

}  // namespace spstudio::models
