// SPDX-License-Identifier: Apache-2.0
// Fused attention kernels through LibTorch's scaled-dot-product-attention ops (LibTorch 2.x):
// flash attention for fp16/bf16 on CUDA (head dim ≤ 256), memory-efficient attention otherwise on
// CUDA; both return the log-sum-exp ring attention merges blocks with. Where no fused kernel
// applies (LibTorch 1.13, CPU tensors, a key mask, a head dim the kernels refuse), forward() falls
// back to MathAttentionKernel, so the result is always defined. The op calls and their version
// differences live in sp/torch_compat.h.
#pragma once

#include "sp/attention/kernel.h"

namespace spstudio::sp {

class SdpaAttentionKernel final : public AttentionKernel {
 public:
  std::string name() const override { return "sdpa"; }
  KernelResult forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                       const KernelOptions& options) override;
  /// Which kernel forward() would run for these inputs: "flash", "efficient" or "math".
  static const char* choice(const at::Tensor& q, const at::Tensor& k, const KernelOptions& options);
};

/// "math" → MathAttentionKernel, "sdpa" or "auto" → SdpaAttentionKernel (which falls back to math
/// where it must); throws std::invalid_argument naming the accepted names otherwise.
std::shared_ptr<AttentionKernel> attention_kernel_named(const std::string& name);

}  // namespace spstudio::sp
