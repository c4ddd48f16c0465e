// SPDX-License-Identifier: Apache-2.0
// The fused SDPA kernels on CUDA (flash for fp16/bf16, memory-efficient for fp32): output and
// log-sum-exp against a float64 CPU softmax written out here, for GQA/MQA, Sq ≠ Sk, head dims 64
// and 128, query lengths that are not multiples of 32 (the efficient kernel pads its LSE); which
// kernel runs; and two SDPA blocks merged by ring_merge equal attention over all keys.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "sp/attention/ring_merge.h"
#include "sp/attention/sdpa_kernel.h"
#include "sp/torch_compat.h"

namespace spstudio::sp {
namespace {

struct Shape {
  std::int64_t batch, q_len, k_len, heads, kv_heads, dim;
};

std::string describe(const Shape& s) {
  return "B" + std::to_string(s.batch) + " Sq" + std::to_string(s.q_len) + " Sk" + std::to_string(s.k_len) + " H" +
         std::to_string(s.heads) + "/" + std::to_string(s.kv_heads) + " D" + std::to_string(s.dim);
}

/// Inputs drawn in float64 on the CPU, rounded to `dtype` once: the reference then sees exactly the
/// values the kernel sees, so the comparison measures the kernel's arithmetic only.
struct Inputs {
  at::Tensor q, k, v;        // [B, S, H, D] on CUDA in the tested dtype
  at::Tensor q64, k64, v64;  // the same values, float64 on the CPU
};

Inputs make_inputs(const Shape& s, at::ScalarType dtype, std::uint64_t seed) {
  at::manual_seed(seed);
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  Inputs in;
  in.q = at::randn({s.batch, s.q_len, s.heads, s.dim}, f64).to(dtype).to(at::kCUDA);
  in.k = at::randn({s.batch, s.k_len, s.kv_heads, s.dim}, f64).to(dtype).to(at::kCUDA);
  in.v = at::randn({s.batch, s.k_len, s.kv_heads, s.dim}, f64).to(dtype).to(at::kCUDA);
  in.q64 = in.q.cpu().to(at::kDouble);
  in.k64 = in.k.cpu().to(at::kDouble);
  in.v64 = in.v.cpu().to(at::kDouble);
  return in;
}

struct Reference {
  at::Tensor out;  // [B, Sq, H, D] float64
  at::Tensor lse;  // [B, Sq, H] float64
};

/// softmax(q·kᵀ·scale)·v in float64 with the log-sum-exp written out (max-shifted), kv heads
/// repeated so q head h reads kv head h / (H / Hkv).
Reference reference_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
  const std::int64_t group = q.size(2) / k.size(2);
  const at::Tensor qh = q.permute({0, 2, 1, 3});                              // [B, H, Sq, D]
  const at::Tensor kh = k.repeat_interleave(group, 2).permute({0, 2, 1, 3});  // [B, H, Sk, D]
  const at::Tensor vh = v.repeat_interleave(group, 2).permute({0, 2, 1, 3});
  const at::Tensor scores = at::matmul(qh, kh.transpose(-1, -2)) * scale;  // [B, H, Sq, Sk]
  const at::Tensor row_max = std::get<0>(scores.max(-1, /*keepdim=*/true));
  const at::Tensor lse = row_max + at::log(at::exp(scores - row_max).sum(-1, /*keepdim=*/true));
  const at::Tensor probs = at::exp(scores - lse);
  Reference r;
  r.out = at::matmul(probs, vh).permute({0, 2, 1, 3});
  r.lse = lse.squeeze(-1).permute({0, 2, 1});
  return r;
}

double max_abs(const at::Tensor& t) {
  return t.abs().max().item<double>();
}

struct Tolerance {
  double out_relative;  ///< max |Δout| / max |ref out|
  double lse_absolute;  ///< max |Δlse|
};

Tolerance tolerance_for(at::ScalarType dtype) {
  // bf16 keeps 8 significant bits (flash rounds P to bf16 before P·V and the output to bf16); fp16
  // 11; fp32 runs through the efficient kernel's fp32-accurate GEMMs. The LSE is accumulated in
  // fp32 from the same rounded inputs the reference sees, whatever the dtype.
  if (dtype == at::kBFloat16) return {1e-2, 1e-2};
  if (dtype == at::kHalf) return {3e-3, 1e-2};
  return {1e-4, 1e-4};
}

const Shape kShapes[] = {
    {2, 77, 77, 8, 8, 64},     // plain, Sq = Sk not a multiple of 32
    {1, 130, 45, 8, 2, 128},   // GQA, Sq > Sk
    {2, 33, 200, 4, 1, 64},    // MQA, Sq < Sk
    {1, 256, 256, 4, 4, 128},  // multiples of the kernels' tiles
};

class SdpaGpu : public ::testing::TestWithParam<at::ScalarType> {};

TEST_P(SdpaGpu, OutputAndLogSumExpMatchFloat64) {
  ASSERT_TRUE(compat::fused_attention_available()) << "LibTorch " << compat::torch_version();
  const at::ScalarType dtype = GetParam();
  const Tolerance tol = tolerance_for(dtype);
  SdpaAttentionKernel kernel;
  std::uint64_t seed = 100;
  for (const Shape& s : kShapes) {
    const Inputs in = make_inputs(s, dtype, seed++);
    KernelOptions o;
    o.scale = 1.0 / std::sqrt(static_cast<double>(s.dim));
    o.return_lse = true;
    EXPECT_STRNE(SdpaAttentionKernel::choice(in.q, in.k, o), "math") << describe(s);
    const KernelResult r = kernel.forward(in.q, in.k, in.v, o);
    ASSERT_EQ(r.out.sizes(), in.q.sizes()) << describe(s);
    EXPECT_EQ(r.out.scalar_type(), dtype);
    EXPECT_TRUE(r.out.is_cuda());
    ASSERT_EQ(r.lse.sizes(), at::IntArrayRef({s.batch, s.q_len, s.heads})) << describe(s);
    EXPECT_EQ(r.lse.scalar_type(), at::kFloat);

    const Reference ref = reference_attention(in.q64, in.k64, in.v64, o.scale);
    const double out_err = max_abs(r.out.cpu().to(at::kDouble) - ref.out) / max_abs(ref.out);
    const double lse_err = max_abs(r.lse.cpu().to(at::kDouble) - ref.lse);
    EXPECT_LE(out_err, tol.out_relative) << describe(s) << " " << c10::toString(dtype);
    EXPECT_LE(lse_err, tol.lse_absolute) << describe(s) << " " << c10::toString(dtype);

    // Without return_lse the output is the same and no LSE comes back.
    o.return_lse = false;
    const KernelResult no_lse = kernel.forward(in.q, in.k, in.v, o);
    EXPECT_FALSE(no_lse.lse.defined());
    EXPECT_LE(max_abs(no_lse.out.cpu().to(at::kDouble) - ref.out) / max_abs(ref.out), tol.out_relative);
  }
}

TEST_P(SdpaGpu, TwoBlocksMergedByTheRingEqualFullAttention) {
  const at::ScalarType dtype = GetParam();
  const Tolerance tol = tolerance_for(dtype);
  const Shape s{2, 96, 160, 8, 2, 128};
  const Inputs in = make_inputs(s, dtype, 7);
  SdpaAttentionKernel kernel;
  KernelOptions o;
  o.scale = 0.09;
  o.return_lse = true;
  // Blocks of unequal length, as ring hops are when the sequence does not divide evenly.
  MergeState state;
  for (const auto& [begin, length] : {std::pair<std::int64_t, std::int64_t>{0, 64}, {64, 96}}) {
    const at::Tensor kb = in.k.narrow(1, begin, length), vb = in.v.narrow(1, begin, length);
    const KernelResult block = kernel.forward(in.q, kb, vb, o);
    ring_merge(state, block.out, block.lse);
  }
  const Reference ref = reference_attention(in.q64, in.k64, in.v64, o.scale);
  EXPECT_LE(max_abs(state.out.cpu().to(at::kDouble) - ref.out) / max_abs(ref.out), tol.out_relative);
  EXPECT_LE(max_abs(state.lse.squeeze(-1).cpu().to(at::kDouble) - ref.lse), tol.lse_absolute);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, SdpaGpu, ::testing::Values(at::kBFloat16, at::kHalf, at::kFloat),
                         [](const auto& param_info) { return std::string(c10::toString(param_info.param)); });

TEST(SdpaGpuChoice, FlashForHalfTypesEfficientForFloatMathOtherwise) {
  const auto on = [](at::ScalarType dtype, std::int64_t dim) {
    return at::zeros({1, 8, 4, dim}, at::TensorOptions().dtype(dtype).device(at::kCUDA));
  };
  KernelOptions o;
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kBFloat16, 128), on(at::kBFloat16, 128), o), "flash");
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kHalf, 64), on(at::kHalf, 64), o), "flash");
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kFloat, 128), on(at::kFloat, 128), o), "efficient");
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kFloat, 64), on(at::kFloat, 64), o), "efficient");
  // Beyond flash's head-dim limit the efficient kernel takes 16-bit inputs.
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kBFloat16, 512), on(at::kBFloat16, 512), o), "efficient");
  // No fused kernel: float64, a head dim off the kernels' alignment, mixed dtypes, a key mask, the CPU.
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kDouble, 64), on(at::kDouble, 64), o), "math");
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kFloat, 6), on(at::kFloat, 6), o), "math");
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kBFloat16, 64), on(at::kFloat, 64), o), "math");
  EXPECT_STREQ(SdpaAttentionKernel::choice(at::zeros({1, 8, 4, 64}), at::zeros({1, 8, 4, 64}), o), "math");
  KernelOptions masked;
  masked.key_mask = at::ones({1, 8}, at::TensorOptions().dtype(at::kBool).device(at::kCUDA));
  EXPECT_STREQ(SdpaAttentionKernel::choice(on(at::kBFloat16, 128), on(at::kBFloat16, 128), masked), "math");
}

TEST(SdpaGpuChoice, TheMathFallbackOnCudaStillMatchesFloat64) {
  // float64 and a key mask run the math kernel on the GPU: same contract, float32 arithmetic.
  const Shape s{1, 20, 24, 4, 2, 16};
  const Inputs in = make_inputs(s, at::kDouble, 11);
  KernelOptions o;
  o.scale = 0.25;
  o.return_lse = true;
  ASSERT_STREQ(SdpaAttentionKernel::choice(in.q, in.k, o), "math");
  const KernelResult r = SdpaAttentionKernel().forward(in.q, in.k, in.v, o);
  const Reference ref = reference_attention(in.q64, in.k64, in.v64, o.scale);
  EXPECT_LE(max_abs(r.out.cpu().to(at::kDouble) - ref.out), 1e-5);
  EXPECT_LE(max_abs(r.lse.cpu().to(at::kDouble) - ref.lse), 1e-5);

  const Inputs bf = make_inputs(s, at::kBFloat16, 12);
  KernelOptions masked = o;
  at::Tensor mask = at::ones({1, s.k_len}, at::kBool);
  mask[0][5].fill_(false);
  masked.key_mask = mask.to(at::kCUDA);
  ASSERT_STREQ(SdpaAttentionKernel::choice(bf.q, bf.k, masked), "math");
  const KernelResult m = SdpaAttentionKernel().forward(bf.q, bf.k, bf.v, masked);
  EXPECT_EQ(m.out.scalar_type(), at::kBFloat16);
  // Dropping key 5 from the inputs is the same attention as masking it.
  const at::Tensor keep = at::cat({at::arange(0, 5), at::arange(6, s.k_len)});
  const Reference masked_ref =
      reference_attention(bf.q64, bf.k64.index_select(1, keep), bf.v64.index_select(1, keep), o.scale);
  EXPECT_LE(max_abs(m.out.cpu().to(at::kDouble) - masked_ref.out) / max_abs(masked_ref.out), 1e-2);
}

TEST(SdpaGpuChoice, DefaultKernelIsSdpa) {
  if (std::getenv(kAttentionKernelEnv) != nullptr) GTEST_SKIP() << kAttentionKernelEnv << " is set";
  EXPECT_EQ(default_attention_kernel()->name(), "sdpa");
}

}  // namespace
}  // namespace spstudio::sp
