// SPDX-License-Identifier: Apache-2.0
#include "models/flux/attention.h"

#include "models/layers/rotary.h"

namespace spstudio::models::flux {
namespace {

at::Tensor heads_of(const at::Tensor& x, std::int64_t heads, std::int64_t head_dim) {
  return x.view({x.size(0), x.size(1), heads, head_dim});
}

}  // namespace

FluxAttentionImpl::FluxAttentionImpl(const FluxTransformerConfig& c, bool dual_stream)
    : sp::HookableModule("FluxAttention", {"hidden_states", "encoder_hidden_states", "image_rotary_emb"}),
      heads_(c.num_attention_heads),
      head_dim_(c.attention_head_dim),
      dual_stream_(dual_stream) {
  const std::int64_t inner = c.inner_dim();
  to_q = register_module("to_q", Linear(inner, inner));
  to_k = register_module("to_k", Linear(inner, inner));
  to_v = register_module("to_v", Linear(inner, inner));
  norm_q = register_module("norm_q", RMSNorm(head_dim_));
  norm_k = register_module("norm_k", RMSNorm(head_dim_));
  if (dual_stream) {
    add_q_proj = register_module("add_q_proj", Linear(inner, inner));
    add_k_proj = register_module("add_k_proj", Linear(inner, inner));
    add_v_proj = register_module("add_v_proj", Linear(inner, inner));
    norm_added_q = register_module("norm_added_q", RMSNorm(head_dim_));
    norm_added_k = register_module("norm_added_k", RMSNorm(head_dim_));
    to_out = register_module("to_out", torch::nn::ModuleList());
    out_proj_ = Linear(inner, inner);
    to_out->push_back(out_proj_);
    to_add_out = register_module("to_add_out", Linear(inner, inner));
  }
  sp::AttentionOptions o;
  o.heads = static_cast<int>(heads_);
  o.head_dim = static_cast<int>(head_dim_);
  attention = register_module("attention", sp::Attention(o));
}

std::pair<at::Tensor, at::Tensor> FluxAttentionImpl::forward(const at::Tensor& hidden_states,
                                                             const at::Tensor& encoder_hidden_states,
                                                             const sp::Value& image_rotary_emb) {
  const auto out = sp::to_tensors(call({hidden_states, encoder_hidden_states, image_rotary_emb}));
  return {out[0], out[1]};
}

sp::Value FluxAttentionImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("hidden_states"), ctx = args.tensor("encoder_hidden_states");
  const std::vector<at::Tensor> rope = args.tensor_list("image_rotary_emb");  // txt cos, sin, img cos, sin
  if (rope.size() != 4)
    throw std::invalid_argument("FluxAttention: image_rotary_emb must be (txt_cos, txt_sin, img_cos, img_sin)");
  Linear& text_q = dual_stream_ ? add_q_proj : to_q;
  Linear& text_k = dual_stream_ ? add_k_proj : to_k;
  Linear& text_v = dual_stream_ ? add_v_proj : to_v;
  RMSNorm& text_norm_q = dual_stream_ ? norm_added_q : norm_q;
  RMSNorm& text_norm_k = dual_stream_ ? norm_added_k : norm_k;

  const at::Tensor q = apply_rope(norm_q(heads_of(to_q(x), heads_, head_dim_)), rope[2], rope[3]);
  const at::Tensor k = apply_rope(norm_k(heads_of(to_k(x), heads_, head_dim_)), rope[2], rope[3]);
  const at::Tensor v = heads_of(to_v(x), heads_, head_dim_);
  sp::AttentionMetadata meta;
  meta.joint_query = apply_rope(text_norm_q(heads_of(text_q(ctx), heads_, head_dim_)), rope[0], rope[1]);
  meta.joint_key = apply_rope(text_norm_k(heads_of(text_k(ctx), heads_, head_dim_)), rope[0], rope[1]);
  meta.joint_value = heads_of(text_v(ctx), heads_, head_dim_);
  meta.joint_strategy = sp::JointStrategy::Front;

  const at::Tensor out = attention(q, k, v, meta).flatten(2);  // [B, T + S, inner]
  const auto [text, image] = sp::split_joint(out, ctx.size(1), sp::JointStrategy::Front);
  if (!dual_stream_) return sp::make_tuple({image, text});
  return sp::make_tuple({out_proj_(image), to_add_out(text)});
}

}  // namespace spstudio::models::flux
