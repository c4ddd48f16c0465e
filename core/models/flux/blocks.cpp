// SPDX-License-Identifier: Apache-2.0
#include "models/flux/blocks.h"

#include "common/profiling/range_names.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::models::flux {
namespace {

const std::vector<std::string> kBlockSignature = {"hidden_states", "encoder_hidden_states", "temb", "image_rotary_emb"};

/// float16 overflows in the residual stream of the real checkpoints; diffusers clips there too.
at::Tensor clip_fp16(const at::Tensor& x) {
  return x.scalar_type() == at::kHalf ? x.clamp(-65504, 65504) : x;
}

}  // namespace

FluxTransformerBlockImpl::FluxTransformerBlockImpl(const FluxTransformerConfig& c)
    : sp::HookableModule("FluxTransformerBlock", kBlockSignature) {
  const std::int64_t dim = c.inner_dim();
  norm1 = register_module("norm1", AdaLayerNormZero(dim, 6));
  norm1_context = register_module("norm1_context", AdaLayerNormZero(dim, 6));
  attn = register_module("attn", FluxAttention(c, /*dual_stream=*/true));
  norm2 = register_module("norm2", LayerNorm(dim, /*elementwise_affine=*/false));
  ff = register_module("ff", FeedForward(dim, 4 * dim));
  norm2_context = register_module("norm2_context", LayerNorm(dim, false));
  ff_context = register_module("ff_context", FeedForward(dim, 4 * dim));
}

sp::Value FluxTransformerBlockImpl::forward_impl(const sp::BoundArgs& args) {
  const sp::ScopedRange range(range_names::kBlock);
  at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("encoder_hidden_states");
  const at::Tensor temb = args.tensor("temb");
  // n = (normed, gate_msa, shift_mlp, scale_mlp, gate_mlp)
  const auto n = norm1(x, temb), nc = norm1_context(ctx, temb);
  const auto [attn_x, attn_c] = attn(n[0], nc[0], args["image_rotary_emb"]);
  x = x + n[1].unsqueeze(1) * attn_x;
  x = x + n[4].unsqueeze(1) * ff(modulate(norm2(x), n[2], n[3]));
  ctx = ctx + nc[1].unsqueeze(1) * attn_c;
  ctx = ctx + nc[4].unsqueeze(1) * ff_context(modulate(norm2_context(ctx), nc[2], nc[3]));
  return sp::make_tuple({x, clip_fp16(ctx)});
}

FluxSingleTransformerBlockImpl::FluxSingleTransformerBlockImpl(const FluxTransformerConfig& c)
    : sp::HookableModule("FluxSingleTransformerBlock", kBlockSignature) {
  const std::int64_t dim = c.inner_dim(), mlp = 4 * dim;
  norm = register_module("norm", AdaLayerNormZero(dim, 3));
  proj_mlp = register_module("proj_mlp", Linear(dim, mlp));
  attn = register_module("attn", FluxAttention(c, /*dual_stream=*/false));
  proj_out = register_module("proj_out", Linear(dim + mlp, dim));
}

sp::Value FluxSingleTransformerBlockImpl::forward_impl(const sp::BoundArgs& args) {
  const sp::ScopedRange range(range_names::kBlock);
  const at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("encoder_hidden_states");
  const at::Tensor temb = args.tensor("temb");
  const auto n = norm(x, temb), nc = norm(ctx, temb);  // (normed, gate)
  const auto [attn_x, attn_c] = attn(n[0], nc[0], args["image_rotary_emb"]);
  auto finish = [&](const at::Tensor& in, const std::vector<at::Tensor>& mod, const at::Tensor& a) {
    const at::Tensor mlp = at::gelu(proj_mlp(mod[0]), "tanh");
    return clip_fp16(in + mod[1].unsqueeze(1) * proj_out(at::cat({a, mlp}, -1)));
  };
  return sp::make_tuple({finish(x, n, attn_x), finish(ctx, nc, attn_c)});
}

}  // namespace spstudio::models::flux
