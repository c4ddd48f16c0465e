// SPDX-License-Identifier: Apache-2.0
// How far an image (and its latents) is from a reference: PSNR and max |Δ| over uint8 RGB, max |Δ|
// over float latents. "One seed gives the same image under every parallel configuration" (UX.md):
// the GUI shows these against a single-rank run of the same seed. Pure C++ (no Qt, no LibTorch).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/wire/messages.h"

namespace spstudio {

struct ImageDifference {
  double psnr_db = 0;  ///< 10·log10(255² / MSE); +infinity when identical
  int max_abs = 0;     ///< largest |a − b| over all channels, 0..255
  double mean_abs = 0;
  std::size_t differing = 0;  ///< channel values that differ
  std::size_t count = 0;      ///< channel values compared
};

/// Compares two RGB8 buffers of `count` bytes each.
ImageDifference compare_rgb8(const std::uint8_t* a, const std::uint8_t* b, std::size_t count);
/// Throws std::invalid_argument naming both sizes when they differ.
ImageDifference compare_images(const wire::RgbImage& a, const wire::RgbImage& b);

struct TensorDifference {
  double max_abs = 0;  ///< max |a − b|, computed in float64
  double max_ref = 0;  ///< max |b| (b is the reference): read max_abs relative to it
};

/// Element-wise over two tensors of the same shape (any float dtype of the wire: float32, float64,
/// float16, bfloat16). Throws std::invalid_argument naming the shapes or dtype when they differ or
/// a dtype is not a float type.
TensorDifference compare_tensors(const wire::TensorData& a, const wire::TensorData& reference);

}  // namespace spstudio
