// SPDX-License-Identifier: Apache-2.0
// Hookable leaf layers. Parameters are registered directly under the checkpoint's names
// (`proj_out.weight`, `proj_out.bias`), so a plan can address any of them (e.g. gather after
// `proj_out`) and state dicts load without renaming.
#pragma once

#include <torch/nn/pimpl.h>

#include "sp/hooks/hookable_module.h"

namespace spstudio::models {

class LinearImpl : public sp::HookableModule {
 public:
  LinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias = true);
  at::Tensor forward(const at::Tensor& input) { return call({input}).toTensor(); }

  at::Tensor weight;  ///< [out, in]
  at::Tensor bias;    ///< [out] or undefined

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(Linear);

/// LayerNorm over the last dimension; without affine parameters when elementwise_affine is false.
class LayerNormImpl : public sp::HookableModule {
 public:
  explicit LayerNormImpl(std::int64_t dim, bool elementwise_affine = true, double eps = 1e-6);
  at::Tensor forward(const at::Tensor& input) { return call({input}).toTensor(); }

  at::Tensor weight, bias;

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t dim_;
  double eps_;
};
TORCH_MODULE(LayerNorm);

/// x · rsqrt(mean(x²) + eps) · weight over the last dimension (computed in float32).
class RMSNormImpl : public sp::HookableModule {
 public:
  explicit RMSNormImpl(std::int64_t dim, double eps = 1e-6);
  at::Tensor forward(const at::Tensor& input) { return call({input}).toTensor(); }

  at::Tensor weight;

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

}  // namespace spstudio::models
