// SPDX-License-Identifier: Apache-2.0
// Image and latent differences against a reference run, all accumulated in float64 so that a few
// ulps of float32 drift between parallel configurations are measured, not rounded away.
#include "common/image_diff.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/tensor_dtypes.h"

namespace spstudio {
namespace {

std::string size_text(const wire::RgbImage& image) {
  return std::to_string(image.width) + "×" + std::to_string(image.height);
}

void check_rgb_size(const wire::RgbImage& image, const char* which) {
  const std::size_t expected = static_cast<std::size_t>(image.width) * image.height * 3;
  if (image.rgb.size() != expected)
    throw std::invalid_argument(std::string("compare_images: ") + which + " image has " +
                                std::to_string(image.rgb.size()) + " RGB bytes for " + size_text(image) +
                                " (expected " + std::to_string(expected) + ")");
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// Little-endian unsigned integer of `n` bytes (the wire's and safetensors' byte order).
std::uint64_t load_le(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

double float32_from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// IEEE 754 binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
double float16_from_bits(std::uint16_t bits) {
  const double sign = (bits & 0x8000u) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1F;
  const int mantissa = bits & 0x3FF;
  if (exponent == 0x1F)
    return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);  // subnormal: mantissa · 2^(1 − 15 − 10)
  return sign * std::ldexp(1024 + mantissa, exponent - 25);    // (1 + m/1024) · 2^(e − 15)
}

/// bfloat16 is the upper half of a float32.
double bfloat16_from_bits(std::uint16_t bits) {
  return float32_from_bits(static_cast<std::uint32_t>(bits) << 16);
}

/// Element `i` of a float tensor of dtype `dtype` (already checked to be one of the four).
double element(const std::string& dtype, const std::uint8_t* bytes, std::size_t i) {
  if (dtype == "F32") return float32_from_bits(static_cast<std::uint32_t>(load_le(bytes + i * 4, 4)));
  if (dtype == "F64") {
    const std::uint64_t bits = load_le(bytes + i * 8, 8);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  const auto half = static_cast<std::uint16_t>(load_le(bytes + i * 2, 2));
  return dtype == "F16" ? float16_from_bits(half) : bfloat16_from_bits(half);
}

bool is_float_dtype(const std::string& dtype) {
  return dtype == "F32" || dtype == "F64" || dtype == "F16" || dtype == "BF16";
}

/// Number of elements of `tensor`, after checking its byte count against shape and dtype.
std::size_t checked_count(const wire::TensorData& tensor, const char* which) {
  std::size_t count = 1;
  for (std::int64_t d : tensor.shape) {
    if (d < 0)
      throw std::invalid_argument(std::string("compare_tensors: ") + which + " tensor has a negative dimension in " +
                                  shape_text(tensor.shape));
    count *= static_cast<std::size_t>(d);
  }
  const std::size_t expected = count * dtype_itemsize(tensor.dtype);
  if (tensor.bytes.size() != expected)
    throw std::invalid_argument(std::string("compare_tensors: ") + which + " tensor " + tensor.dtype + " " +
                                shape_text(tensor.shape) + " has " + std::to_string(tensor.bytes.size()) +
                                " bytes (expected " + std::to_string(expected) + ")");
  return count;
}

}  // namespace

ImageDifference compare_rgb8(const std::uint8_t* a, const std::uint8_t* b, std::size_t count) {
  ImageDifference d;
  d.count = count;
  double squared = 0, absolute = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const int delta = std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
    if (delta == 0) continue;
    ++d.differing;
    d.max_abs = std::max(d.max_abs, delta);
    absolute += delta;
    squared += static_cast<double>(delta) * delta;
  }
  if (count > 0) d.mean_abs = absolute / static_cast<double>(count);
  const double mse = count > 0 ? squared / static_cast<double>(count) : 0.0;
  d.psnr_db = mse == 0.0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(255.0 * 255.0 / mse);
  return d;
}

ImageDifference compare_images(const wire::RgbImage& a, const wire::RgbImage& b) {
  if (a.width != b.width || a.height != b.height)
    throw std::invalid_argument("compare_images: the images differ in size: " + size_text(a) + " and " + size_text(b));
  check_rgb_size(a, "first");
  check_rgb_size(b, "second");
  return compare_rgb8(a.rgb.data(), b.rgb.data(), a.rgb.size());
}

TensorDifference compare_tensors(const wire::TensorData& a, const wire::TensorData& reference) {
  for (const wire::TensorData* t : {&a, &reference})
    if (!is_float_dtype(t->dtype))
      throw std::invalid_argument("compare_tensors: dtype " + (t->dtype.empty() ? "(empty)" : t->dtype) +
                                  " is not a float type (F32, F64, F16 or BF16)");
  if (a.dtype != reference.dtype)
    throw std::invalid_argument("compare_tensors: the dtypes differ: " + a.dtype + " and reference " + reference.dtype);
  if (a.shape != reference.shape)
    throw std::invalid_argument("compare_tensors: the shapes differ: " + shape_text(a.shape) + " and reference " +
                                shape_text(reference.shape));
  const std::size_t count = checked_count(a, "first");
  checked_count(reference, "reference");

  TensorDifference d;
  bool nan = false;  // a NaN anywhere makes the difference NaN: std::max would silently skip it
  for (std::size_t i = 0; i < count; ++i) {
    const double x = element(a.dtype, a.bytes.data(), i), ref = element(reference.dtype, reference.bytes.data(), i);
    const double delta = std::abs(x - ref);
    nan = nan || std::isnan(delta);
    d.max_abs = std::max(d.max_abs, delta);
    d.max_ref = std::max(d.max_ref, std::abs(ref));
  }
  if (nan) d.max_abs = std::numeric_limits<double>::quiet_NaN();
  return d;
}

}  // namespace spstudio
