// SPDX-License-Identifier: Apache-2.0
// PSNR / max |Δ| of images and latents against a reference: values worked out by hand, the half
// float decodings from their bit patterns.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/image_diff.h"
#include "error_text.h"

namespace spstudio {
namespace {

using testing::error_of;

wire::RgbImage image(std::uint32_t width, std::uint32_t height, std::vector<std::uint8_t> rgb) {
  return {width, height, std::move(rgb)};
}

/// A wire tensor from raw element bit patterns, written little-endian as the wire does.
template <typename Bits>
wire::TensorData tensor(const std::string& dtype, std::vector<std::int64_t> shape, const std::vector<Bits>& bits) {
  wire::TensorData t{dtype, std::move(shape), {}};
  for (Bits b : bits)
    for (std::size_t i = 0; i < sizeof(Bits); ++i)
      t.bytes.push_back(static_cast<std::uint8_t>((static_cast<std::uint64_t>(b) >> (8 * i)) & 0xFF));
  return t;
}

wire::TensorData f32(std::vector<std::int64_t> shape, const std::vector<float>& values) {
  std::vector<std::uint32_t> bits(values.size());
  std::memcpy(bits.data(), values.data(), values.size() * 4);
  return tensor("F32", std::move(shape), bits);
}

wire::TensorData f64(std::vector<std::int64_t> shape, const std::vector<double>& values) {
  std::vector<std::uint64_t> bits(values.size());
  std::memcpy(bits.data(), values.data(), values.size() * 8);
  return tensor("F64", std::move(shape), bits);
}

TEST(ImageDiff, OneValueOffByThreeAmongTwelve) {
  std::vector<std::uint8_t> a{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
  std::vector<std::uint8_t> b = a;
  b[7] = 77;  // |Δ| = 3
  const ImageDifference d = compare_images(image(2, 2, a), image(2, 2, b));
  // MSE = 3² / 12 = 0.75; PSNR = 10·log10(65025 / 0.75) = 10·log10(86700) = 49.38019 dB.
  EXPECT_NEAR(d.psnr_db, 49.38019, 1e-5);
  EXPECT_EQ(d.max_abs, 3);
  EXPECT_DOUBLE_EQ(d.mean_abs, 0.25);  // 3 / 12
  EXPECT_EQ(d.differing, 1u);
  EXPECT_EQ(d.count, 12u);
}

TEST(ImageDiff, SeveralDifferencesBothDirections) {
  const std::uint8_t a[4] = {0, 255, 100, 7};
  const std::uint8_t b[4] = {1, 253, 100, 7};
  const ImageDifference d = compare_rgb8(a, b, 4);
  // MSE = (1 + 4) / 4 = 1.25 → 10·log10(52020) = 47.16170 dB; mean |Δ| = 3 / 4.
  EXPECT_NEAR(d.psnr_db, 47.16170, 1e-5);
  EXPECT_EQ(d.max_abs, 2);
  EXPECT_DOUBLE_EQ(d.mean_abs, 0.75);
  EXPECT_EQ(d.differing, 2u);
}

TEST(ImageDiff, ExtremesGiveZeroDecibels) {
  const std::uint8_t black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
  const ImageDifference d = compare_rgb8(black, white, 3);
  EXPECT_DOUBLE_EQ(d.psnr_db, 0.0);  // MSE = 255²
  EXPECT_EQ(d.max_abs, 255);
}

TEST(ImageDiff, IdenticalIsInfinite) {
  const wire::RgbImage a = image(1, 2, {1, 2, 3, 4, 5, 6});
  const ImageDifference d = compare_images(a, a);
  EXPECT_TRUE(std::isinf(d.psnr_db));
  EXPECT_GT(d.psnr_db, 0);
  EXPECT_EQ(d.max_abs, 0);
  EXPECT_EQ(d.mean_abs, 0.0);
  EXPECT_EQ(d.differing, 0u);
  EXPECT_EQ(d.count, 6u);
}

TEST(ImageDiff, SizeMismatchNamesBothSizes) {
  const std::string e = error_of(
      [] { compare_images(image(2, 1, std::vector<std::uint8_t>(6)), image(1, 2, std::vector<std::uint8_t>(6))); });
  EXPECT_CONTAINS(e, "2×1");
  EXPECT_CONTAINS(e, "1×2");
}

TEST(ImageDiff, WrongByteCountIsNamed) {
  const std::string e = error_of(
      [] { compare_images(image(2, 1, std::vector<std::uint8_t>(6)), image(2, 1, std::vector<std::uint8_t>(5))); });
  EXPECT_CONTAINS(e, "5 RGB bytes");
  EXPECT_CONTAINS(e, "expected 6");
}

TEST(TensorDiff, Float32ComputedInDouble) {
  const TensorDifference d = compare_tensors(f32({2}, {0.1f, -3.0f}), f32({2}, {0.2f, -3.0f}));
  // Both float32 values widened exactly; their float64 difference is not a float32 rounding.
  EXPECT_EQ(d.max_abs, static_cast<double>(0.2f) - static_cast<double>(0.1f));
  EXPECT_EQ(d.max_ref, 3.0);
}

TEST(TensorDiff, Float64) {
  const TensorDifference d = compare_tensors(f64({1, 2}, {1e-12, 4.0}), f64({1, 2}, {0.0, -4.5}));
  EXPECT_EQ(d.max_abs, 8.5);
  EXPECT_EQ(d.max_ref, 4.5);
}

TEST(TensorDiff, BFloat16ByHand) {
  // bf16 = top half of a float32: 0x3F80 = 1.0, 0x3F81 = 1 + 2⁻⁷ = 1.0078125, 0xC020 = −2.5,
  // 0xC000 = −2.0, 0x3E20 = 0.15625 (1.25 · 2⁻³).
  const TensorDifference d = compare_tensors(tensor<std::uint16_t>("BF16", {3}, {0x3F80, 0xC020, 0x3E20}),
                                             tensor<std::uint16_t>("BF16", {3}, {0x3F81, 0xC000, 0x3E20}));
  EXPECT_EQ(d.max_abs, 0.5);  // |−2.5 − (−2.0)|; the other two: 0.0078125 and 0
  EXPECT_EQ(d.max_ref, 2.0);

  const TensorDifference small =
      compare_tensors(tensor<std::uint16_t>("BF16", {1}, {0x3F80}), tensor<std::uint16_t>("BF16", {1}, {0x3F81}));
  EXPECT_EQ(small.max_abs, 0.0078125);
  EXPECT_EQ(small.max_ref, 1.0078125);
}

TEST(TensorDiff, Float16ByHand) {
  // binary16: 0x3C00 = 1.0, 0x3C01 = 1 + 2⁻¹⁰, 0x7BFF = 65504 (largest), 0x7BFE = 65472,
  // 0x0001 = 2⁻²⁴ (smallest subnormal), 0xC100 = −2.5, 0x4100 = 2.5.
  const TensorDifference big = compare_tensors(tensor<std::uint16_t>("F16", {3}, {0x3C00, 0x0001, 0x7BFF}),
                                               tensor<std::uint16_t>("F16", {3}, {0x3C01, 0x0000, 0x7BFE}));
  EXPECT_EQ(big.max_abs, 32.0);
  EXPECT_EQ(big.max_ref, 65472.0);

  const TensorDifference one_ulp =
      compare_tensors(tensor<std::uint16_t>("F16", {1}, {0x3C00}), tensor<std::uint16_t>("F16", {1}, {0x3C01}));
  EXPECT_EQ(one_ulp.max_abs, 0.0009765625);

  const TensorDifference subnormal =
      compare_tensors(tensor<std::uint16_t>("F16", {1}, {0x0001}), tensor<std::uint16_t>("F16", {1}, {0x0000}));
  EXPECT_EQ(subnormal.max_abs, 5.9604644775390625e-08);

  const TensorDifference sign =
      compare_tensors(tensor<std::uint16_t>("F16", {1}, {0xC100}), tensor<std::uint16_t>("F16", {1}, {0x4100}));
  EXPECT_EQ(sign.max_abs, 5.0);
  EXPECT_EQ(sign.max_ref, 2.5);
}

TEST(TensorDiff, NanIsReported) {
  const TensorDifference d =
      compare_tensors(f32({2}, {std::numeric_limits<float>::quiet_NaN(), 1.0f}), f32({2}, {0.0f, 0.0f}));
  EXPECT_TRUE(std::isnan(d.max_abs));
  const TensorDifference half_inf = compare_tensors(tensor<std::uint16_t>("F16", {1}, {0x7C00}),  // +inf
                                                    tensor<std::uint16_t>("F16", {1}, {0x3C00}));
  EXPECT_TRUE(std::isinf(half_inf.max_abs));
}

TEST(TensorDiff, ShapeMismatchNamesBothShapes) {
  const std::string e = error_of([] { compare_tensors(f32({3}, {1, 2, 3}), f32({1, 3}, {1, 2, 3})); });
  EXPECT_CONTAINS(e, "[3]");
  EXPECT_CONTAINS(e, "[1, 3]");
}

TEST(TensorDiff, DtypeMismatchNamesBoth) {
  const std::string e = error_of([] { compare_tensors(f32({1}, {1}), tensor<std::uint16_t>("BF16", {1}, {0x3F80})); });
  EXPECT_CONTAINS(e, "F32");
  EXPECT_CONTAINS(e, "BF16");
}

TEST(TensorDiff, NonFloatDtypeIsRejected) {
  const std::string e =
      error_of([] { compare_tensors(tensor<std::uint64_t>("I64", {1}, {1}), tensor<std::uint64_t>("I64", {1}, {1})); });
  EXPECT_CONTAINS(e, "I64");
  EXPECT_CONTAINS(e, "not a float type");
}

TEST(TensorDiff, ByteCountMustMatchShape) {
  wire::TensorData shortened = f32({2}, {1, 2});
  shortened.bytes.pop_back();
  const std::string e = error_of([&] { compare_tensors(shortened, f32({2}, {1, 2})); });
  EXPECT_CONTAINS(e, "7 bytes");
  EXPECT_CONTAINS(e, "expected 8");
}

}  // namespace
}  // namespace spstudio
