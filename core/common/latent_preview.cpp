// SPDX-License-Identifier: Apache-2.0
#include "common/latent_preview.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>

namespace spstudio {
namespace {

// ComfyUI, comfy/latent_formats.py, class Flux: latent_rgb_factors (16 × 3) and
// latent_rgb_factors_bias (https://github.com/comfyanonymous/ComfyUI). ComfyUI applies them to the
// sampler's x0, i.e. to diffusion-space latents ((z − 0.1159) · 0.3611).
constexpr float kFluxFactors[16 * 3] = {
    -0.0346f, 0.0244f,  0.0681f,   //
    0.0034f,  0.0210f,  0.0687f,   //
    0.0275f,  -0.0668f, -0.0433f,  //
    -0.0174f, 0.0160f,  0.0617f,   //
    0.0859f,  0.0721f,  0.0329f,   //
    0.0004f,  0.0383f,  0.0115f,   //
    0.0405f,  0.0861f,  0.0915f,   //
    -0.0236f, -0.0185f, -0.0259f,  //
    -0.0245f, 0.0250f,  0.1180f,   //
    0.1008f,  0.0755f,  -0.0421f,  //
    -0.0515f, 0.0201f,  0.0011f,   //
    0.0428f,  -0.0012f, -0.0036f,  //
    0.0817f,  0.0765f,  0.0749f,   //
    -0.1264f, -0.0522f, -0.1103f,  //
    -0.0280f, -0.0881f, -0.0499f,  //
    -0.1262f, -0.0982f, -0.0778f,  //
};
constexpr float kFluxBias[3] = {-0.0329f, -0.0718f, -0.0851f};

void check_table(const LatentPreviewTable& table) {
  if (table.channels < 1 || table.factors.size() != static_cast<std::size_t>(table.channels) * 3)
    throw std::invalid_argument("latent preview table: " + std::to_string(table.factors.size()) + " factors for " +
                                std::to_string(table.channels) + " channels; expected channels × 3");
}

std::uint8_t to_byte(float v) {
  const float unit = std::clamp((v + 1.0f) / 2.0f, 0.0f, 1.0f);
  return static_cast<std::uint8_t>(std::lround(unit * 255.0f));
}

/// Writes the 3 bytes of one pixel from its channel values, read with a stride.
void pixel(const LatentPreviewTable& table, const float* values, std::ptrdiff_t stride, std::uint8_t* out) {
  for (int k = 0; k < 3; ++k) {
    float v = table.bias[k];
    for (int c = 0; c < table.channels; ++c)
      v += values[c * stride] * table.factors[c * 3 + k];
    out[k] = to_byte(v);
  }
}

}  // namespace

const LatentPreviewTable& flux_preview_table() {
  // Function-local: safe to use from other static initialisers.
  static const LatentPreviewTable table{16,
                                        std::vector<float>(std::begin(kFluxFactors), std::end(kFluxFactors)),
                                        {kFluxBias[0], kFluxBias[1], kFluxBias[2]}};
  return table;
}

std::vector<std::uint8_t> preview_rgb(const LatentPreviewTable& table, const float* chw_latents, int height,
                                      int width) {
  check_table(table);
  if (height < 0 || width < 0)
    throw std::invalid_argument("preview_rgb: negative size " + std::to_string(height) + "×" + std::to_string(width));
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(height) * width;
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(plane) * 3);
  for (std::ptrdiff_t p = 0; p < plane; ++p)
    pixel(table, chw_latents + p, plane, &rgb[p * 3]);
  return rgb;
}

bool PreviewTile::covers(int px, int py) const {
  if (px < x || px >= x + width || py < y || py >= y + height) return false;
  if (py < y + 2 && px < covered_x_begin) return false;           // partial first token row
  if (py >= y + height - 2 && px >= covered_x_end) return false;  // partial last token row
  return true;
}

PreviewTile preview_rgb_from_packed_tokens(const LatentPreviewTable& table, const float* tokens,
                                           std::int64_t first_token, std::int64_t n_tokens, int grid_w) {
  check_table(table);
  if (grid_w < 1 || first_token < 0 || n_tokens < 1)
    throw std::invalid_argument(
        "preview_rgb_from_packed_tokens: need grid_w ≥ 1, first_token ≥ 0 and n_tokens ≥ 1, got " +
        std::to_string(grid_w) + ", " + std::to_string(first_token) + ", " + std::to_string(n_tokens));
  const std::int64_t last_token = first_token + n_tokens - 1;
  const std::int64_t first_row = first_token / grid_w, last_row = last_token / grid_w;
  const int first_col = static_cast<int>(first_token % grid_w), end_col = static_cast<int>(last_token % grid_w) + 1;

  PreviewTile tile;
  const bool one_row = first_row == last_row;
  tile.x = one_row ? 2 * first_col : 0;
  tile.width = one_row ? 2 * (end_col - first_col) : 2 * grid_w;
  tile.y = static_cast<int>(2 * first_row);
  tile.height = static_cast<int>(2 * (last_row - first_row + 1));
  tile.covered_x_begin = 2 * first_col;
  tile.covered_x_end = 2 * end_col;
  tile.rgb.assign(static_cast<std::size_t>(tile.width) * tile.height * 3, 0);

  // Token features are (c, dy, dx): channel c of sub-pixel (dy, dx) sits at c·4 + dy·2 + dx.
  const int features = 4 * table.channels;
  for (std::int64_t t = 0; t < n_tokens; ++t) {
    const std::int64_t global = first_token + t;
    const int px = static_cast<int>(2 * (global % grid_w)) - tile.x;
    const int py = static_cast<int>(2 * (global / grid_w)) - tile.y;
    const float* token = tokens + t * features;
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx)
        pixel(table, token + dy * 2 + dx, 4,
              &tile.rgb[(static_cast<std::size_t>(py + dy) * tile.width + static_cast<std::size_t>(px + dx)) * 3]);
  }
  return tile;
}

void paint_tile(const PreviewTile& tile, std::uint8_t* image_rgb, int image_width, int image_height) {
  if (tile.x < 0 || tile.y < 0 || tile.x + tile.width > image_width || tile.y + tile.height > image_height)
    throw std::invalid_argument("paint_tile: tile " + std::to_string(tile.width) + "×" + std::to_string(tile.height) +
                                " at (" + std::to_string(tile.x) + ", " + std::to_string(tile.y) + ") does not fit a " +
                                std::to_string(image_width) + "×" + std::to_string(image_height) + " image");
  for (int ty = 0; ty < tile.height; ++ty) {
    for (int tx = 0; tx < tile.width; ++tx) {
      const int px = tile.x + tx, py = tile.y + ty;
      if (!tile.covers(px, py)) continue;
      std::copy_n(&tile.rgb[(static_cast<std::size_t>(ty) * tile.width + tx) * 3], 3,
                  &image_rgb[(static_cast<std::size_t>(py) * image_width + px) * 3]);
    }
  }
}

}  // namespace spstudio
