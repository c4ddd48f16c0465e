// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/kernel.h"

#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "common/profiling/range_names.h"
#include "sp/attention/sdpa_kernel.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::sp {

void check_attention_inputs(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4)
    throw std::invalid_argument("attention expects [B, S, H, D] tensors, got q " + c10::str(q.sizes()) + ", k " +
                                c10::str(k.sizes()) + ", v " + c10::str(v.sizes()));
  const std::int64_t heads = q.size(2), kv_heads = k.size(2);
  if (kv_heads == 0 || heads % kv_heads != 0 || v.size(2) != kv_heads || k.size(1) != v.size(1))
    throw std::invalid_argument("attention: q has " + std::to_string(heads) + " heads, k " + c10::str(k.sizes()) +
                                " and v " + c10::str(v.sizes()) + " do not match it");
}

KernelResult MathAttentionKernel::forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                          const KernelOptions& options) {
  const ScopedRange range(range_names::kAttentionKernel);
  check_attention_inputs(q, k, v);
  const std::int64_t heads = q.size(2), kv_heads = k.size(2);
  at::Tensor qf = q.to(at::kFloat).transpose(1, 2);  // [B, H, Sq, D]
  at::Tensor kf = k.to(at::kFloat).transpose(1, 2);  // [B, Hkv, Sk, D]
  at::Tensor vf = v.to(at::kFloat).transpose(1, 2);
  if (kv_heads != heads) {
    kf = kf.repeat_interleave(heads / kv_heads, 1);
    vf = vf.repeat_interleave(heads / kv_heads, 1);
  }
  at::Tensor scores = at::matmul(qf, kf.transpose(-1, -2)).mul_(options.scale);  // [B, H, Sq, Sk]
  if (options.key_mask.defined())
    scores.masked_fill_(options.key_mask.logical_not().view({options.key_mask.size(0), 1, 1, -1}),
                        -std::numeric_limits<float>::infinity());
  at::Tensor lse = at::logsumexp(scores, -1, /*keepdim=*/true);  // [B, H, Sq, 1]
  // A row with no visible key has lse = -inf; its probabilities are 0, not NaN.
  at::Tensor probs = at::exp(scores - lse).nan_to_num_(0.0);
  KernelResult r;
  r.out = at::matmul(probs, vf).transpose(1, 2).to(q.scalar_type());
  if (options.return_lse) r.lse = lse.squeeze(-1).transpose(1, 2).contiguous();  // [B, Sq, H]
  return r;
}

std::shared_ptr<AttentionKernel> default_attention_kernel() {
  const char* requested = std::getenv(kAttentionKernelEnv);
  if (requested == nullptr || *requested == '\0') return attention_kernel_named("auto");
  try {
    return attention_kernel_named(requested);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(kAttentionKernelEnv) + "=" + requested + ": " + e.what());
  }
}

}  // namespace spstudio::sp
