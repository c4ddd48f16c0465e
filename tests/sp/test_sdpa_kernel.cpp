// SPDX-License-Identifier: Apache-2.0
// SdpaAttentionKernel where no fused kernel applies (the CPU, LibTorch 1.13): it is the math kernel,
// bit for bit; the kernel lookup by name and the SPSTUDIO_ATTENTION_KERNEL override. The fused
// CUDA paths are tested in tests/gpu/test_sdpa_gpu.cpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

#include "sp/attention/sdpa_kernel.h"
#include "sp/torch_compat.h"

namespace spstudio::sp {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no std::invalid_argument)";
}

/// Sets (or unsets, with nullopt) an environment variable for one scope, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (saved_)
      ::setenv(name_, saved_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

void expect_identical(const KernelResult& got, const KernelResult& want, const std::string& what) {
  EXPECT_EQ(got.out.scalar_type(), want.out.scalar_type()) << what;
  EXPECT_TRUE(got.out.equal(want.out)) << what;
  ASSERT_EQ(got.lse.defined(), want.lse.defined()) << what;
  if (want.lse.defined()) {
    // equal() says false for NaN == NaN and for −inf rows compares fine; no NaN is expected here.
    EXPECT_TRUE(got.lse.equal(want.lse)) << what;
    EXPECT_EQ(got.lse.sizes(), want.lse.sizes()) << what;
  }
}

TEST(SdpaKernel, OnTheCpuItIsTheMathKernelExactly) {
  at::manual_seed(5);
  SdpaAttentionKernel sdpa;
  MathAttentionKernel math;
  struct Case {
    std::int64_t q_len, k_len, heads, kv_heads, dim;
    at::ScalarType dtype;
  };
  for (const Case& c : {Case{6, 6, 4, 4, 8, at::kFloat}, Case{5, 9, 4, 2, 16, at::kFloat} /* GQA */,
                        Case{7, 3, 4, 1, 8, at::kBFloat16} /* MQA, bf16 */, Case{4, 4, 2, 2, 64, at::kHalf}}) {
    const at::Tensor q = at::randn({2, c.q_len, c.heads, c.dim}).to(c.dtype);
    const at::Tensor k = at::randn({2, c.k_len, c.kv_heads, c.dim}).to(c.dtype);
    const at::Tensor v = at::randn({2, c.k_len, c.kv_heads, c.dim}).to(c.dtype);
    for (const bool with_mask : {false, true}) {
      KernelOptions o;
      o.scale = 0.37;
      o.return_lse = true;
      if (with_mask) o.key_mask = at::arange(c.k_len).remainder(3).ne(1).unsqueeze(0);
      EXPECT_STREQ(SdpaAttentionKernel::choice(q, k, o), "math");
      const std::string what = std::string(c10::toString(c.dtype)) + " Sq" + std::to_string(c.q_len) + " Sk" +
                               std::to_string(c.k_len) + (with_mask ? " masked" : "");
      expect_identical(sdpa.forward(q, k, v, o), math.forward(q, k, v, o), what);
      o.return_lse = false;
      const KernelResult no_lse = sdpa.forward(q, k, v, o);
      EXPECT_FALSE(no_lse.lse.defined()) << what;
      EXPECT_TRUE(no_lse.out.equal(math.forward(q, k, v, o).out)) << what;
    }
  }
}

TEST(SdpaKernel, NoFusedKernelForCpuTensorsOrWithoutLibTorch21) {
  const at::Tensor t = at::zeros({1, 4, 8, 64}, at::kBFloat16);  // flash's shape and dtype, but on the CPU
  EXPECT_EQ(compat::fused_attention_backend(t, t, t), compat::FusedAttentionBackend::None);
  EXPECT_FALSE(compat::fused_attention_with_lse(t, t, t, 0.125).has_value());
#if TORCH_VERSION_MAJOR < 2
  // LibTorch 1.13 (the development machines) has no fused ops that return the LSE.
  EXPECT_FALSE(compat::fused_attention_available()) << compat::torch_version();
#endif
}

TEST(SdpaKernel, EmptyKeysAndBadShapesBehaveAsTheMathKernel) {
  SdpaAttentionKernel sdpa;
  KernelOptions o;
  o.return_lse = true;
  const KernelResult r = sdpa.forward(at::randn({1, 3, 2, 4}), at::zeros({1, 0, 2, 4}), at::zeros({1, 0, 2, 4}), o);
  EXPECT_EQ(r.out.abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(r.lse.isneginf().all().item<bool>());

  EXPECT_NE(error_of([&] {
              sdpa.forward(at::randn({1, 3, 4}), at::randn({1, 3, 2, 4}), at::randn({1, 3, 2, 4}), o);
            }).find("attention expects [B, S, H, D] tensors, got q [1, 3, 4]"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              sdpa.forward(at::randn({1, 3, 4, 4}), at::randn({1, 3, 3, 4}), at::randn({1, 3, 3, 4}), o);
            }).find("q has 4 heads"),
            std::string::npos);
}

TEST(AttentionKernelNamed, MathSdpaAndAuto) {
  EXPECT_EQ(attention_kernel_named("math")->name(), "math");
  EXPECT_EQ(attention_kernel_named("sdpa")->name(), "sdpa");
  EXPECT_EQ(attention_kernel_named("auto")->name(), "sdpa");
  for (const char* bad : {"flash", "", "MATH", "sdpa "}) {
    const std::string e = error_of([&] { attention_kernel_named(bad); });
    EXPECT_NE(e.find("unknown attention kernel '" + std::string(bad) + "'"), std::string::npos) << e;
    EXPECT_NE(e.find("math, sdpa, auto"), std::string::npos) << e;
  }
}

TEST(DefaultAttentionKernel, SdpaUnlessTheEnvironmentSaysOtherwise) {
  {
    const ScopedEnv unset(kAttentionKernelEnv, std::nullopt);
    EXPECT_EQ(default_attention_kernel()->name(), "sdpa");
  }
  {
    const ScopedEnv empty(kAttentionKernelEnv, "");
    EXPECT_EQ(default_attention_kernel()->name(), "sdpa");
  }
  {
    const ScopedEnv math(kAttentionKernelEnv, "math");
    EXPECT_EQ(default_attention_kernel()->name(), "math");
  }
  {
    const ScopedEnv sdpa(kAttentionKernelEnv, "sdpa");
    EXPECT_EQ(default_attention_kernel()->name(), "sdpa");
  }
  {
    const ScopedEnv bad(kAttentionKernelEnv, "cudnn");
    const std::string e = error_of([] { default_attention_kernel(); });
    EXPECT_NE(e.find("SPSTUDIO_ATTENTION_KERNEL=cudnn: unknown attention kernel 'cudnn'"), std::string::npos) << e;
  }
}

}  // namespace
}  // namespace spstudio::sp
