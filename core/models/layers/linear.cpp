// SPDX-License-Identifier: Apache-2.0
#include "models/layers/linear.h"

namespace spstudio::models {

LinearImpl::LinearImpl(std::int64_t in_features, std::int64_t out_features, bool with_bias)
    : sp::HookableModule("Linear", {"input"}) {
  weight = register_parameter("weight", at::empty({out_features, in_features}));
  if (with_bias) bias = register_parameter("bias", at::empty({out_features}));
}

sp::Value LinearImpl::forward_impl(const sp::BoundArgs& args) {
  return at::linear(args.tensor("input"), weight, bias);
}

LayerNormImpl::LayerNormImpl(std::int64_t dim, bool elementwise_affine, double eps)
    : sp::HookableModule("LayerNorm", {"input"}), dim_(dim), eps_(eps) {
  if (elementwise_affine) {
    weight = register_parameter("weight", at::ones({dim}));
    bias = register_parameter("bias", at::zeros({dim}));
  }
}

sp::Value LayerNormImpl::forward_impl(const sp::BoundArgs& args) {
  return at::layer_norm(args.tensor("input"), {dim_}, weight, bias, eps_);
}

RMSNormImpl::RMSNormImpl(std::int64_t dim, double eps) : sp::HookableModule("RMSNorm", {"input"}), eps_(eps) {
  weight = register_parameter("weight", at::ones({dim}));
}

sp::Value RMSNormImpl::forward_impl(const sp::BoundArgs& args) {
  const at::Tensor x = args.tensor("input");
  const at::Tensor xf = x.to(at::kFloat);
  const at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps_);
  return (normed * weight.to(at::kFloat)).to(x.scalar_type());
}

}  // namespace spstudio::models
