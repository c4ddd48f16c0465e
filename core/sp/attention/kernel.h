// SPDX-License-Identifier: Apache-2.0
// Attention kernel backends: compute softmax(q·kᵀ·scale)·v for one block and, when asked, the
// log-sum-exp per query row (what ring attention merges blocks with). Layout [B, S, H, D];
// k/v may have fewer heads than q (grouped-query attention), repeated locally.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>

namespace spstudio::sp {

struct KernelOptions {
  double scale = 1.0;
  bool return_lse = false;
  /// [1 or B, Sk] bool, true = attend. Undefined = attend to every key.
  at::Tensor key_mask;
};

struct KernelResult {
  at::Tensor out;  ///< [B, Sq, H, D], the dtype of q
  at::Tensor lse;  ///< [B, Sq, H] float32 (defined when return_lse); -inf for a row with no keys
};

class AttentionKernel {
 public:
  virtual ~AttentionKernel() = default;
  virtual std::string name() const = 0;
  virtual KernelResult forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const KernelOptions& options) = 0;
};

/// Plain matrix math in float32 on any device; exact reference and CPU path. Room beside it for
/// SDPA / flash / cuDNN kernels that return the LSE (the GPU issue).
class MathAttentionKernel final : public AttentionKernel {
 public:
  std::string name() const override { return "math"; }
  KernelResult forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                       const KernelOptions& options) override;
};

std::shared_ptr<AttentionKernel> default_attention_kernel();

}  // namespace spstudio::sp
