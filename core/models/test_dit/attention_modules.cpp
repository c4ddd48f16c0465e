// SPDX-License-Identifier: Apache-2.0
#include "models/test_dit/attention_modules.h"

namespace spstudio::models {
namespace {

at::Tensor heads_of(const at::Tensor& x, std::int64_t heads, std::int64_t head_dim) {
  return x.view({x.size(0), x.size(1), heads, head_dim});
}

sp::AttentionOptions attention_options(const TestDiTConfig& c) {
  sp::AttentionOptions o;
  o.heads = static_cast<int>(c.heads);
  o.kv_heads = static_cast<int>(c.kv_heads);
  o.head_dim = static_cast<int>(c.head_dim);
  return o;
}

}  // namespace

// ---- joint ---------------------------------------------------------------------------------

JointAttentionImpl::JointAttentionImpl(const TestDiTConfig& c, bool dual_stream)
    : sp::HookableModule("JointAttention", {"hidden_states", "encoder_hidden_states", "image_rotary_emb"}),
      heads_(c.heads),
      kv_heads_(c.kv_heads),
      head_dim_(c.head_dim),
      dual_stream_(dual_stream) {
  const std::int64_t h = c.hidden(), kv = c.kv_heads * c.head_dim;
  to_q = register_module("to_q", Linear(h, h));
  to_k = register_module("to_k", Linear(h, kv));
  to_v = register_module("to_v", Linear(h, kv));
  norm_q = register_module("norm_q", RMSNorm(c.head_dim));
  norm_k = register_module("norm_k", RMSNorm(c.head_dim));
  if (dual_stream) {
    add_q_proj = register_module("add_q_proj", Linear(h, h));
    add_k_proj = register_module("add_k_proj", Linear(h, kv));
    add_v_proj = register_module("add_v_proj", Linear(h, kv));
    norm_added_q = register_module("norm_added_q", RMSNorm(c.head_dim));
    norm_added_k = register_module("norm_added_k", RMSNorm(c.head_dim));
    to_out = register_module("to_out", Linear(h, h));
    to_add_out = register_module("to_add_out", Linear(h, h));
  }
  attention = register_module("attention", sp::Attention(attention_options(c)));
}

std::pair<at::Tensor, at::Tensor> JointAttentionImpl::forward(const at::Tensor& hidden_states,
                                                              const at::Tensor& encoder_hidden_states,
                                                              const sp::Value& image_rotary_emb) {
  const auto out = sp::to_tensors(call({hidden_states, encoder_hidden_states, image_rotary_emb}));
  return {out[0], out[1]};
}

sp::Value JointAttentionImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("encoder_hidden_states");
  const RopeTables rope = RopeTables::from(args.tensor_list("image_rotary_emb"), ctx.size(1));
  Linear& text_q = dual_stream_ ? add_q_proj : to_q;
  Linear& text_k = dual_stream_ ? add_k_proj : to_k;
  Linear& text_v = dual_stream_ ? add_v_proj : to_v;
  RMSNorm& text_norm_q = dual_stream_ ? norm_added_q : norm_q;
  RMSNorm& text_norm_k = dual_stream_ ? norm_added_k : norm_k;

  const at::Tensor q = apply_rope(norm_q(heads_of(to_q(x), heads_, head_dim_)), rope.img_cos, rope.img_sin);
  const at::Tensor k = apply_rope(norm_k(heads_of(to_k(x), kv_heads_, head_dim_)), rope.img_cos, rope.img_sin);
  const at::Tensor v = heads_of(to_v(x), kv_heads_, head_dim_);
  sp::AttentionMetadata meta;
  meta.joint_query = apply_rope(text_norm_q(heads_of(text_q(ctx), heads_, head_dim_)), rope.txt_cos, rope.txt_sin);
  meta.joint_key = apply_rope(text_norm_k(heads_of(text_k(ctx), kv_heads_, head_dim_)), rope.txt_cos, rope.txt_sin);
  meta.joint_value = heads_of(text_v(ctx), kv_heads_, head_dim_);
  meta.joint_strategy = sp::JointStrategy::Front;

  const at::Tensor out = attention(q, k, v, meta).flatten(2);  // [B, T + S, hidden]
  const auto [text, image] = sp::split_joint(out, ctx.size(1), sp::JointStrategy::Front);
  if (!dual_stream_) return sp::make_tuple({image, text});
  return sp::make_tuple({to_out(image), to_add_out(text)});
}

// ---- cross -----------------------------------------------------------------------------------

CrossAttentionImpl::CrossAttentionImpl(const TestDiTConfig& c)
    : sp::HookableModule("CrossAttention", {"hidden_states", "context"}), heads_(c.cross_heads) {
  const std::int64_t h = c.hidden();
  to_q = register_module("to_q", Linear(h, h));
  to_k = register_module("to_k", Linear(h, h));
  to_v = register_module("to_v", Linear(h, h));
  to_out = register_module("to_out", Linear(h, h));
  sp::AttentionOptions o;
  o.heads = static_cast<int>(c.cross_heads);
  o.head_dim = static_cast<int>(h / c.cross_heads);
  o.skip_sequence_parallel = true;
  attention = register_module("attention", sp::Attention(o));
}

sp::Value CrossAttentionImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("context");
  const std::int64_t head_dim = x.size(-1) / heads_;
  const at::Tensor out = attention(heads_of(to_q(x), heads_, head_dim), heads_of(to_k(ctx), heads_, head_dim),
                                   heads_of(to_v(ctx), heads_, head_dim));
  return to_out(out.flatten(2));
}

}  // namespace spstudio::models
