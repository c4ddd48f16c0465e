// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/latent_preview.h"

namespace spstudio {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// [C, h, w] latents with value(c, y, x) at index (c·h + y)·w + x.
struct Latent {
  int channels, height, width;
  std::vector<float> values;
  float& at(int c, int y, int x) { return values[(static_cast<std::size_t>(c) * height + y) * width + x]; }
};

Latent zeros(int c, int h, int w) {
  return {c, h, w, std::vector<float>(static_cast<std::size_t>(c) * h * w, 0.0f)};
}

Latent random_latent(int c, int h, int w, unsigned seed) {
  Latent l = zeros(c, h, w);
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (float& v : l.values)
    v = normal(gen);
  return l;
}

/// Flux packing written out: token (y/2)·(w/2) + x/2, feature c·4 + (y%2)·2 + x%2.
std::vector<float> pack(Latent& l) {
  const int gw = l.width / 2, features = 4 * l.channels;
  std::vector<float> tokens(static_cast<std::size_t>(l.height / 2) * gw * features);
  for (int c = 0; c < l.channels; ++c)
    for (int y = 0; y < l.height; ++y)
      for (int x = 0; x < l.width; ++x)
        tokens[static_cast<std::size_t>((y / 2) * gw + x / 2) * features + c * 4 + (y % 2) * 2 + x % 2] = l.at(c, y, x);
  return tokens;
}

TEST(LatentPreview, FluxGoldenPixels) {
  // Pixels (row-major): (0,0) all zero; (0,1) channel 4 = 1; (1,0) channel 13 = -2; (1,1) channel 0 = 40.
  // Flux factors (ComfyUI latent_formats.Flux): bias (-0.0329, -0.0718, -0.0851); channel 4 row
  // (0.0859, 0.0721, 0.0329); channel 13 row (-0.1264, -0.0522, -0.1103); channel 0 row (-0.0346, 0.0244, 0.0681).
  // byte = round(clamp((v + 1) / 2, 0, 1) · 255):
  //   (0,0): v = bias                   → 0.48355·255 = 123.31 → 123, 0.46410·255 = 118.35 → 118, 0.45745·255 = 116.65
  //   → 117 (0,1): v = (0.0530, 0.0003, -0.0522) → 0.52650·255 = 134.26 → 134, 0.50015·255 = 127.54 → 128, 0.47390·255
  //   = 120.84 → 121 (1,0): v = (0.2199, 0.0326, 0.1355)  → 0.60995·255 = 155.54 → 156, 0.51630·255 = 131.66 → 132,
  //   0.56775·255 = 144.78 → 145 (1,1): v = (-1.4169, 0.9042, 2.6389) → clamped 0,            0.95210·255 = 242.79 →
  //   243, clamped 255
  Latent l = zeros(16, 2, 2);
  l.at(4, 0, 1) = 1.0f;
  l.at(13, 1, 0) = -2.0f;
  l.at(0, 1, 1) = 40.0f;
  const Bytes rgb = preview_rgb(flux_preview_table(), l.values.data(), 2, 2);
  EXPECT_EQ(rgb, (Bytes{123, 118, 117, 134, 128, 121, 156, 132, 145, 0, 243, 255}));
}

TEST(LatentPreview, FluxTableHas16ChannelsOfThreeFactors) {
  const LatentPreviewTable& t = flux_preview_table();
  EXPECT_EQ(t.channels, 16);
  EXPECT_EQ(t.factors.size(), 48u);
}

struct Shard {
  std::int64_t first, count;
  int x, y, width, height;  // expected tile rectangle
};

TEST(LatentPreview, PackedTokenTilesAreCropsOfTheFullPreview) {
  // 6×8 latent → 3 token rows of 4 tokens; preview 8 pixels wide, 6 high.
  Latent l = random_latent(16, 6, 8, 17);
  const Bytes full = preview_rgb(flux_preview_table(), l.values.data(), 6, 8);
  const std::vector<float> tokens = pack(l);
  const std::vector<Shard> shards{
      {0, 12, 0, 0, 8, 6},  // everything
      {4, 4, 0, 2, 8, 2},   // exactly token row 1
      {1, 2, 2, 0, 4, 2},   // inside token row 0: the exact block
      {2, 9, 0, 0, 8, 6},   // partial first and last row
      {7, 2, 0, 2, 8, 4},   // last token of row 1 and first of row 2
  };
  for (const Shard& s : shards) {
    SCOPED_TRACE("tokens " + std::to_string(s.first) + " + " + std::to_string(s.count));
    const PreviewTile tile =
        preview_rgb_from_packed_tokens(flux_preview_table(), tokens.data() + s.first * 64, s.first, s.count, 4);
    EXPECT_EQ(tile.x, s.x);
    EXPECT_EQ(tile.y, s.y);
    EXPECT_EQ(tile.width, s.width);
    EXPECT_EQ(tile.height, s.height);
    ASSERT_EQ(tile.rgb.size(), static_cast<std::size_t>(tile.width) * tile.height * 3);
    for (int ty = 0; ty < tile.height; ++ty) {
      for (int tx = 0; tx < tile.width; ++tx) {
        const int px = tile.x + tx, py = tile.y + ty;
        const std::int64_t token = (py / 2) * 4 + px / 2;
        const bool in_shard = token >= s.first && token < s.first + s.count;
        EXPECT_EQ(tile.covers(px, py), in_shard) << px << "," << py;
        for (int k = 0; k < 3; ++k) {
          const std::uint8_t got = tile.rgb[(static_cast<std::size_t>(ty) * tile.width + tx) * 3 + k];
          const std::uint8_t want = in_shard ? full[(static_cast<std::size_t>(py) * 8 + px) * 3 + k] : 0;
          EXPECT_EQ(got, want) << px << "," << py << " channel " << k;
        }
      }
    }
  }
}

TEST(LatentPreview, PaintingEveryRanksTileRebuildsTheFullPreview) {
  Latent l = random_latent(16, 6, 8, 23);
  const Bytes full = preview_rgb(flux_preview_table(), l.values.data(), 6, 8);
  const std::vector<float> tokens = pack(l);
  Bytes canvas(full.size(), 7);
  // Uneven shards whose boundaries fall inside token rows (neighbours share rows).
  for (const auto& [first, count] : std::vector<std::pair<int, int>>{{0, 5}, {5, 4}, {9, 3}}) {
    const PreviewTile tile =
        preview_rgb_from_packed_tokens(flux_preview_table(), tokens.data() + first * 64, first, count, 4);
    paint_tile(tile, canvas.data(), 8, 6);
  }
  EXPECT_EQ(canvas, full);
}

TEST(LatentPreview, BadArgumentsAreRefused) {
  LatentPreviewTable broken{3, {0.1f, 0.2f}, {0.0f, 0.0f, 0.0f}};
  const float latents[12] = {};
  try {
    preview_rgb(broken, latents, 2, 2);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2 factors for 3 channels"), std::string::npos) << e.what();
  }
  EXPECT_THROW(preview_rgb_from_packed_tokens(flux_preview_table(), latents, 0, 0, 4), std::invalid_argument);
  PreviewTile tile;
  tile.width = tile.height = 4;
  tile.x = 6;
  tile.rgb.assign(48, 0);
  Bytes canvas(8 * 6 * 3);
  EXPECT_THROW(paint_tile(tile, canvas.data(), 8, 6), std::invalid_argument);
}

}  // namespace
}  // namespace spstudio
