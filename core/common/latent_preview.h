// SPDX-License-Identifier: Apache-2.0
// Cheap live previews: a linear latent → RGB map per model family (no VAE), applied to the
// predicted x0 of a denoising step. Pure C++ so the GUI and the workers share one definition.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace spstudio {

struct LatentPreviewTable {
  int channels = 0;
  std::vector<float> factors;  ///< channels × 3, row-major: factors[c * 3 + k] is channel c's weight for R/G/B k
  std::array<float, 3> bias{};
};

/// Flux.1's 16-channel table, for latents in diffusion space (what the transformer denoises).
const LatentPreviewTable& flux_preview_table();

/// RGB8 bytes (height × width × 3, row-major) of `chw_latents` [channels, height, width]:
/// rgb = Σ_c latent_c · factor[c] + bias, then round(clamp((v + 1) / 2, 0, 1) · 255).
std::vector<std::uint8_t> preview_rgb(const LatentPreviewTable& table, const float* chw_latents, int height, int width);

/// The part of the preview one rank can draw from its shard of packed tokens. Pixel coordinates are
/// in the full latent-resolution preview (2·grid_w wide): each token is a 2×2 block of pixels.
///
/// A shard is a contiguous run of tokens in row-major order, so it covers whole token rows except
/// possibly a partial first and last row. The tile is the bounding rectangle: the exact block when
/// the shard lies within one token row, otherwise full width over the shard's token rows. Pixels of
/// a partial first row left of covered_x_begin, and of a partial last row from covered_x_end on,
/// belong to neighbouring shards: they are 0 here and must not be painted (see covers()).
struct PreviewTile {
  int x = 0, y = 0, width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  ///< width × height × 3, row-major
  int covered_x_begin = 0;        ///< first covered pixel column of the tile's first token row (full-image x)
  int covered_x_end = 0;          ///< end (exclusive) of the covered columns of its last token row

  /// Whether the pixel at full-image (px, py) is drawn by this tile.
  bool covers(int px, int py) const;
};

/// `tokens` points at this shard's n_tokens rows of 4·channels floats, feature order (c, dy, dx)
/// as FluxPipeline packs them; `first_token` is the shard's first global token index and grid_w the
/// number of tokens per row. Padding tokens (auto_pad) must not be passed.
PreviewTile preview_rgb_from_packed_tokens(const LatentPreviewTable& table, const float* tokens,
                                           std::int64_t first_token, std::int64_t n_tokens, int grid_w);

/// Copies the covered pixels of `tile` into a full RGB8 image of image_width × image_height
/// (what the GUI does with the tiles of all ranks).
void paint_tile(const PreviewTile& tile, std::uint8_t* image_rgb, int image_width, int image_height);

}  // namespace spstudio
