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

/// Throws std::invalid_argument unless q, k, v are [B, S, H, D] with k/v sharing a sequence length
/// and a head count that divides q's (every kernel checks the same way).
void check_attention_inputs(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

/// Plain matrix math in float32 on any device; exact reference and CPU path. SdpaAttentionKernel
/// (sp/attention/sdpa_kernel.h) is the fused GPU kernel beside it and falls back to this one.
class MathAttentionKernel final : public AttentionKernel {
 public:
  std::string name() const override { return "math"; }
  KernelResult forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                       const KernelOptions& options) override;
};

/// The kernel Attention layers use when given none: SdpaAttentionKernel (fused on CUDA with LibTorch
/// ≥ 2.1, the math kernel elsewhere), unless the environment variable SPSTUDIO_ATTENTION_KERNEL
/// names another (attention_kernel_named(): "math" forces the float32 math kernel everywhere, for
/// A/B comparisons). Read at each call, i.e. when a model is built. Throws std::invalid_argument
/// for an unknown name in the variable.
std::shared_ptr<AttentionKernel> default_attention_kernel();

/// The environment variable default_attention_kernel() reads.
inline constexpr const char* kAttentionKernelEnv = "SPSTUDIO_ATTENTION_KERNEL";

}  // namespace spstudio::sp
