// SPDX-License-Identifier: Apache-2.0
#include "models/flux/layers.h"

#include <torch/nn/modules/linear.h>

namespace spstudio::models::flux {

at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale) {
  return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);
}

AdaLayerNormZeroImpl::AdaLayerNormZeroImpl(std::int64_t dim, std::int64_t chunks)
    : sp::HookableModule(chunks == 3 ? "AdaLayerNormZeroSingle" : "AdaLayerNormZero", {"x", "emb"}),
      dim_(dim),
      chunks_(chunks) {
  linear = register_module("linear", Linear(dim, chunks * dim));
}

sp::Value AdaLayerNormZeroImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("x");
  const std::vector<at::Tensor> mod = linear(at::silu(args.tensor("emb"))).chunk(chunks_, 1);
  std::vector<sp::Value> out;
  out.emplace_back(modulate(at::layer_norm(x, {dim_}, {}, {}, 1e-6), mod[0], mod[1]));
  for (std::size_t i = 2; i < mod.size(); ++i)
    out.emplace_back(mod[i]);
  return sp::make_tuple(std::move(out));
}

AdaLayerNormContinuousImpl::AdaLayerNormContinuousImpl(std::int64_t dim)
    : sp::HookableModule("AdaLayerNormContinuous", {"x", "conditioning_embedding"}), dim_(dim) {
  linear = register_module("linear", Linear(dim, 2 * dim));
}

sp::Value AdaLayerNormContinuousImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("x");
  const at::Tensor emb = linear(at::silu(args.tensor("conditioning_embedding")).to(x.scalar_type()));
  const std::vector<at::Tensor> scale_shift = emb.chunk(2, 1);
  return modulate(at::layer_norm(x, {dim_}, {}, {}, 1e-6), scale_shift[1], scale_shift[0]);
}

GELUImpl::GELUImpl(std::int64_t in_features, std::int64_t out_features) : sp::HookableModule("GELU", {"x"}) {
  proj = register_module("proj", Linear(in_features, out_features));
}

sp::Value GELUImpl::forward_impl(const sp::BoundArgs& args) {
  return at::gelu(proj(args.tensor("x")), "tanh");
}

FeedForwardImpl::FeedForwardImpl(std::int64_t dim, std::int64_t inner) : sp::HookableModule("FeedForward", {"x"}) {
  net = register_module("net", torch::nn::ModuleList());
  act_ = GELU(dim, inner);
  out_ = Linear(inner, dim);
  net->push_back(act_);
  net->push_back(torch::nn::Identity());  // dropout in diffusers: inference needs nothing, keeps net.2's index
  net->push_back(out_);
}

sp::Value FeedForwardImpl::forward_impl(const sp::BoundArgs& args) {
  return out_(act_(args.tensor("x")));
}

}  // namespace spstudio::models::flux
