// SPDX-License-Identifier: Apache-2.0
// SdpaAttentionKernel: the fused flash / memory-efficient attention ops (through sp/torch_compat.h)
// with the math kernel as the fallback, and the kernel lookup by name.
#include "sp/attention/sdpa_kernel.h"

#include <stdexcept>

#include "common/profiling/range_names.h"
#include "sp/profiling/scoped_range.h"
#include "sp/torch_compat.h"

namespace spstudio::sp {

const char* SdpaAttentionKernel::choice(const at::Tensor& q, const at::Tensor& k, const KernelOptions& options) {
  // The fused ops take no boolean key mask here (Ulysses' auto_pad padding): the math kernel does.
  if (options.key_mask.defined()) return "math";
  // v is not passed: forward() requires it to match k in device, dtype and shape, and the op the
  // fallback takes on a mismatch is the math kernel either way.
  switch (compat::fused_attention_backend(q, k, k)) {
    case compat::FusedAttentionBackend::Flash:
      return "flash";
    case compat::FusedAttentionBackend::Efficient:
      return "efficient";
    case compat::FusedAttentionBackend::None:
      break;
  }
  return "math";
}

KernelResult SdpaAttentionKernel::forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                          const KernelOptions& options) {
  check_attention_inputs(q, k, v);
  if (options.key_mask.defined() || compat::fused_attention_backend(q, k, v) == compat::FusedAttentionBackend::None)
    return MathAttentionKernel().forward(q, k, v, options);  // it opens its own profiling range

  const ScopedRange range(range_names::kAttentionKernel);
  // The ops take [B, H, S, D] and need a contiguous head dim (stride 1), not a contiguous tensor:
  // a transposed view of [B, S, H, D] costs no copy.
  auto head_major = [](const at::Tensor& t) {
    const at::Tensor view = t.transpose(1, 2);
    return view.stride(-1) == 1 ? view : view.contiguous();
  };
  at::Tensor qt = head_major(q), kt = head_major(k), vt = head_major(v);
  const std::int64_t heads = q.size(2), kv_heads = k.size(2);
  if (kv_heads != heads) {  // GQA/MQA: each kv head serves heads / kv_heads consecutive q heads
    kt = kt.repeat_interleave(heads / kv_heads, 1);
    vt = vt.repeat_interleave(heads / kv_heads, 1);
  }
  auto fused = compat::fused_attention_with_lse(qt, kt, vt, options.scale);
  if (!fused) return MathAttentionKernel().forward(q, k, v, options);  // not reached: the backend said fused
  KernelResult r;
  r.out = fused->first.transpose(1, 2).to(q.scalar_type());                    // [B, Sq, H, D]
  if (options.return_lse) r.lse = fused->second.transpose(1, 2).contiguous();  // [B, Sq, H] float32
  return r;
}

std::shared_ptr<AttentionKernel> attention_kernel_named(const std::string& name) {
  // One instance of each: the kernels are stateless, so every Attention layer may share them.
  static const auto math = std::make_shared<MathAttentionKernel>();
  static const auto sdpa = std::make_shared<SdpaAttentionKernel>();
  if (name == "math") return math;
  if (name == "sdpa" || name == "auto") return sdpa;
  throw std::invalid_argument("unknown attention kernel '" + name + "' (accepted: math, sdpa, auto)");
}

}  // namespace spstudio::sp
