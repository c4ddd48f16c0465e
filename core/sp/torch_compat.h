// SPDX-License-Identifier: Apache-2.0
// Differences between the LibTorch versions we build against (Debian's 1.13 CPU build on the
// development machines, 2.x inside PyTorch on GPU boxes) live here and nowhere else.
#pragma once

#include <ATen/ATen.h>
#include <torch/version.h>

#include <optional>
#include <tuple>
#include <utility>

#define SPSTUDIO_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace spstudio::sp::compat {

/// "1.13.1": for logs and reports.
inline const char* torch_version() {
  return TORCH_VERSION;
}

/// Whether this LibTorch has the fused scaled-dot-product-attention ops that return the
/// log-sum-exp with the `scale` argument: _scaled_dot_product_flash_attention and
/// _scaled_dot_product_efficient_attention(attn_bias, compute_log_sumexp, ..., scale), both since 2.1.
constexpr bool fused_attention_available() {
  return SPSTUDIO_TORCH_AT_LEAST(2, 1);
}

enum class FusedAttentionBackend { None, Flash, Efficient };

/// Which fused op fused_attention_with_lse() would call for q [B, H, Sq, D], k/v [B, H, Sk, D]:
/// Flash for CUDA fp16/bf16 with D ≤ 256 and D % 8 == 0 (flash attention's limits), Efficient for
/// the other CUDA fp16/bf16/fp32 cases the memory-efficient kernel takes (D a multiple of its GEMM
/// alignment: 8 for 16-bit types, 4 for fp32), None otherwise: CPU tensors, float64, mixed dtypes
/// or devices, q/k/v head dims that differ, empty tensors, or a LibTorch without the ops.
inline FusedAttentionBackend fused_attention_backend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  if (!fused_attention_available()) return FusedAttentionBackend::None;
  if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) return FusedAttentionBackend::None;
  if (!q.is_cuda() || k.device() != q.device() || v.device() != q.device()) return FusedAttentionBackend::None;
  const at::ScalarType dtype = q.scalar_type();
  if (k.scalar_type() != dtype || v.scalar_type() != dtype) return FusedAttentionBackend::None;
  const std::int64_t head_dim = q.size(3);
  if (k.size(3) != head_dim || v.size(3) != head_dim) return FusedAttentionBackend::None;
  // The kernels launch no work for empty sequences and reject some of them; the math kernel
  // defines those cases (no keys: zero output, lse −inf).
  if (q.numel() == 0 || k.numel() == 0) return FusedAttentionBackend::None;
  const bool half = dtype == at::kHalf || dtype == at::kBFloat16;
  if (half && head_dim <= 256 && head_dim % 8 == 0) return FusedAttentionBackend::Flash;
  if ((half && head_dim % 8 == 0) || (dtype == at::kFloat && head_dim % 4 == 0))
    return FusedAttentionBackend::Efficient;
  return FusedAttentionBackend::None;
}

/// softmax(q·kᵀ·scale)·v by a fused kernel (fused_attention_backend() says which), non-causal, no
/// dropout. q [B, H, Sq, D], k/v [B, H, Sk, D] (heads already repeated for GQA), one dtype, on CUDA.
/// Returns (out [B, H, Sq, D] in q's dtype, lse [B, H, Sq] float32, natural log), or nullopt when no
/// fused kernel applies (then the caller computes it another way).
inline std::optional<std::pair<at::Tensor, at::Tensor>> fused_attention_with_lse(const at::Tensor& q,
                                                                                 const at::Tensor& k,
                                                                                 const at::Tensor& v, double scale) {
  const FusedAttentionBackend backend = fused_attention_backend(q, k, v);
  if (backend == FusedAttentionBackend::None) return std::nullopt;
#if SPSTUDIO_TORCH_AT_LEAST(2, 1)
  const std::int64_t query_len = q.size(2);
  at::Tensor out, lse;
  if (backend == FusedAttentionBackend::Flash) {
    // (output, logsumexp, cum_seq_q, cum_seq_k, max_q, max_k, rng state ×2, debug_attn_mask)
    auto result = at::_scaled_dot_product_flash_attention(q, k, v, /*dropout_p=*/0.0, /*is_causal=*/false,
                                                          /*return_debug_mask=*/false, scale);
    out = std::get<0>(result);
    lse = std::get<1>(result);
  } else {
    // (output, log_sumexp, philox_seed, philox_offset); {} = no attention bias.
    auto result = at::_scaled_dot_product_efficient_attention(q, k, v, /*attn_bias=*/{}, /*compute_log_sumexp=*/true,
                                                              /*dropout_p=*/0.0, /*is_causal=*/false, scale);
    out = std::get<0>(result);
    lse = std::get<1>(result);
  }
  // The memory-efficient kernel pads the LSE's query axis to a multiple of 32; keep the real rows.
  lse = lse.narrow(2, 0, query_len).to(at::kFloat);
  return std::make_pair(out, lse);
#else
  (void)scale;
  return std::nullopt;
#endif
}

}  // namespace spstudio::sp::compat
