// SPDX-License-Identifier: Apache-2.0
// An independent float64 Flux transformer for the tests: plain functions over the model's state
// dict, looked up BY KEY NAME (so a wrong member name fails here), written from diffusers'
// FluxTransformer2DModel semantics with the text and image streams concatenated as diffusers does
// — not by calling the model's own modules.
#pragma once

#include <torch/nn/module.h>

#include <cmath>
#include <map>
#include <string>

#include "models/flux/transformer.h"

namespace spstudio::testing {

class FluxReference {
 public:
  FluxReference(const torch::nn::Module& model, models::FluxTransformerConfig c) : c_(std::move(c)) {
    for (const auto& p : model.named_parameters())
      params_[p.key()] = p.value().detach().to(at::kDouble);
  }

  at::Tensor forward(const models::flux::FluxTransformerInputs& in) const {
    const auto d = [](const at::Tensor& t) { return t.to(at::kDouble); };
    at::Tensor x = linear("x_embedder", d(in.hidden_states));
    at::Tensor ctx = linear("context_embedder", d(in.encoder_hidden_states));
    at::Tensor temb = mlp("time_text_embed.timestep_embedder", features(d(in.timestep) * 1000));
    if (c_.guidance_embeds) temb = temb + mlp("time_text_embed.guidance_embedder", features(d(in.guidance) * 1000));
    temb = temb + mlp("time_text_embed.text_embedder", d(in.pooled_projections));
    const at::Tensor ids = at::cat({in.txt_ids, in.img_ids}, 0).to(at::kDouble);  // one [text | image] table
    const auto [cos, sin] = rope(ids);
    const std::int64_t text = ctx.size(1);
    for (std::int64_t b = 0; b < c_.num_layers; ++b) {
      const std::string p = "transformer_blocks." + std::to_string(b) + ".";
      const auto m = chunks(p + "norm1.linear", temb, 6), mc = chunks(p + "norm1_context.linear", temb, 6);
      const at::Tensor nx = modulate(norm(x), m[0], m[1]), nc = modulate(norm(ctx), mc[0], mc[1]);
      const at::Tensor q = at::cat(
          {heads(p + "attn.add_q_proj", p + "attn.norm_added_q", nc), heads(p + "attn.to_q", p + "attn.norm_q", nx)},
          1);
      const at::Tensor k = at::cat(
          {heads(p + "attn.add_k_proj", p + "attn.norm_added_k", nc), heads(p + "attn.to_k", p + "attn.norm_k", nx)},
          1);
      const at::Tensor v = at::cat({heads(p + "attn.add_v_proj", "", nc), heads(p + "attn.to_v", "", nx)}, 1);
      const at::Tensor a = attention(q, k, v, cos, sin);
      x = x + m[2].unsqueeze(1) * linear(p + "attn.to_out.0", a.narrow(1, text, a.size(1) - text));
      x = x + m[5].unsqueeze(1) * ff(p + "ff", modulate(norm(x), m[3], m[4]));
      ctx = ctx + mc[2].unsqueeze(1) * linear(p + "attn.to_add_out", a.narrow(1, 0, text));
      ctx = ctx + mc[5].unsqueeze(1) * ff(p + "ff_context", modulate(norm(ctx), mc[3], mc[4]));
    }
    at::Tensor h = at::cat({ctx, x}, 1);  // diffusers' single blocks run on [text | image]
    for (std::int64_t b = 0; b < c_.num_single_layers; ++b) {
      const std::string p = "single_transformer_blocks." + std::to_string(b) + ".";
      const auto m = chunks(p + "norm.linear", temb, 3);
      const at::Tensor n = modulate(norm(h), m[0], m[1]);
      const at::Tensor a =
          attention(heads(p + "attn.to_q", p + "attn.norm_q", n), heads(p + "attn.to_k", p + "attn.norm_k", n),
                    heads(p + "attn.to_v", "", n), cos, sin);
      const at::Tensor mlp_out = at::gelu(linear(p + "proj_mlp", n), "tanh");
      h = h + m[2].unsqueeze(1) * linear(p + "proj_out", at::cat({a, mlp_out}, 2));
    }
    x = h.narrow(1, text, h.size(1) - text);
    const auto scale_shift = chunks("norm_out.linear", temb, 2);  // scale first
    return linear("proj_out", modulate(norm(x), scale_shift[1], scale_shift[0]));
  }

 private:
  const at::Tensor& param(const std::string& name) const {
    const auto it = params_.find(name);
    if (it == params_.end()) throw std::out_of_range("reference: no parameter " + name);
    return it->second;
  }
  at::Tensor linear(const std::string& p, const at::Tensor& x) const {
    return at::matmul(x, param(p + ".weight").t()) + param(p + ".bias");
  }
  at::Tensor mlp(const std::string& p, const at::Tensor& x) const {
    return linear(p + ".linear_2", at::silu(linear(p + ".linear_1", x)));
  }
  static at::Tensor features(const at::Tensor& t) {
    const at::Tensor freqs = at::exp(at::arange(128, t.options()) * (-std::log(10000.0) / 128));
    const at::Tensor a = t.unsqueeze(1) * freqs.unsqueeze(0);
    return at::cat({a.cos(), a.sin()}, 1);
  }
  std::vector<at::Tensor> chunks(const std::string& p, const at::Tensor& temb, std::int64_t n) const {
    return linear(p, at::silu(temb)).chunk(n, 1);
  }
  static at::Tensor norm(const at::Tensor& x) {
    const at::Tensor mean = x.mean(-1, true), var = (x - mean).pow(2).mean(-1, true);
    return (x - mean) / at::sqrt(var + 1e-6);
  }
  static at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale) {
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
  }
  at::Tensor ff(const std::string& p, const at::Tensor& x) const {
    return linear(p + ".net.2", at::gelu(linear(p + ".net.0.proj", x), "tanh"));
  }
  /// [B, N, H, D] from a projection, RMS-normed per head when `norm_name` is given.
  at::Tensor heads(const std::string& proj, const std::string& norm_name, const at::Tensor& x) const {
    at::Tensor h = linear(proj, x).view({x.size(0), x.size(1), c_.num_attention_heads, c_.attention_head_dim});
    if (!norm_name.empty()) h = h / at::sqrt(h.pow(2).mean(-1, true) + 1e-6) * param(norm_name + ".weight");
    return h;
  }
  std::pair<at::Tensor, at::Tensor> rope(const at::Tensor& ids) const {
    std::vector<at::Tensor> angles;
    for (std::size_t axis = 0; axis < c_.axes_dims_rope.size(); ++axis) {
      const std::int64_t dim = c_.axes_dims_rope[axis];
      for (std::int64_t i = 0; i < dim / 2; ++i) {
        const double freq = 1.0 / std::pow(c_.rope_theta, 2.0 * static_cast<double>(i) / static_cast<double>(dim));
        const at::Tensor a = ids.select(1, static_cast<std::int64_t>(axis)) * freq;
        angles.push_back(a);
        angles.push_back(a);  // both elements of the pair
      }
    }
    const at::Tensor a = at::stack(angles, 1);
    return {a.cos(), a.sin()};
  }
  /// Softmax attention over all tokens after rotating q and k (pairs (x0, x1) → (x0 c − x1 s, x1 c + x0 s)).
  at::Tensor attention(at::Tensor q, at::Tensor k, const at::Tensor& v, const at::Tensor& cos,
                       const at::Tensor& sin) const {
    auto rotate = [&](const at::Tensor& x) {
      const at::Tensor even = x.slice(-1, 0, x.size(-1), 2), odd = x.slice(-1, 1, x.size(-1), 2);
      const at::Tensor c = cos.slice(-1, 0, cos.size(-1), 2).unsqueeze(0).unsqueeze(2);
      const at::Tensor s = sin.slice(-1, 0, sin.size(-1), 2).unsqueeze(0).unsqueeze(2);
      return at::stack({even * c - odd * s, odd * c + even * s}, -1).flatten(-2);
    };
    q = rotate(q).transpose(1, 2);
    k = rotate(k).transpose(1, 2);
    const at::Tensor w = at::softmax(at::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(c_.attention_head_dim)), -1);
    return at::matmul(w, v.transpose(1, 2)).transpose(1, 2).flatten(2);
  }

  models::FluxTransformerConfig c_;
  std::map<std::string, at::Tensor> params_;
};

}  // namespace spstudio::testing
