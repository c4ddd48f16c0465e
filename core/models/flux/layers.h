// SPDX-License-Identifier: Apache-2.0
// Flux's modulated norms and feed-forward, with diffusers' class and member names.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "models/layers/linear.h"

namespace spstudio::models::flux {

/// LayerNorm (no affine, eps 1e-6) modulated by linear(silu(temb)) split in `chunks` vectors:
/// (shift, scale, gate, ...). Returns (norm(x)·(1 + scale) + shift, the chunks after scale...).
/// chunks 6: AdaLayerNormZero → (x, gate_msa, shift_mlp, scale_mlp, gate_mlp);
/// chunks 3: AdaLayerNormZeroSingle → (x, gate).
class AdaLayerNormZeroImpl : public sp::HookableModule {
 public:
  AdaLayerNormZeroImpl(std::int64_t dim, std::int64_t chunks);
  std::vector<at::Tensor> forward(const at::Tensor& x, const at::Tensor& emb) { return sp::to_tensors(call({x, emb})); }

  Linear linear{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t dim_, chunks_;
};
TORCH_MODULE(AdaLayerNormZero);

/// The final norm: linear(silu(temb)) → (scale, shift) — scale first, unlike the Zero norms.
class AdaLayerNormContinuousImpl : public sp::HookableModule {
 public:
  explicit AdaLayerNormContinuousImpl(std::int64_t dim);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& emb) { return call({x, emb}).toTensor(); }

  Linear linear{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  std::int64_t dim_;
};
TORCH_MODULE(AdaLayerNormContinuous);

/// gelu_tanh(proj(x)): diffusers' GELU activation module (`ff.net.0`).
class GELUImpl : public sp::HookableModule {
 public:
  GELUImpl(std::int64_t in_features, std::int64_t out_features);
  at::Tensor forward(const at::Tensor& x) { return call({x}).toTensor(); }

  Linear proj{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;
};
TORCH_MODULE(GELU);

/// net = [GELU (net.0.proj), dropout (no weights), Linear (net.2)], as diffusers' FeedForward.
class FeedForwardImpl : public sp::HookableModule {
 public:
  FeedForwardImpl(std::int64_t dim, std::int64_t inner);
  at::Tensor forward(const at::Tensor& x) { return call({x}).toTensor(); }

  torch::nn::ModuleList net{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  GELU act_{nullptr};
  Linear out_{nullptr};
};
TORCH_MODULE(FeedForward);

/// x · (1 + scale) + shift with per-sample [B, dim] modulation.
at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale);

}  // namespace spstudio::models::flux
