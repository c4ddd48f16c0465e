// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "error_text.h"
#include "models/vae/flux_latents.h"
#include "models/vae/latent_preview_torch.h"

namespace spstudio::models {
namespace {

TEST(LatentPreviewTorch, PreviewFromX0MatchesAFloat64TensorReference) {
  const LatentPreviewTable& table = flux_preview_table();
  at::Generator gen = at::detail::createCPUGenerator(9);
  const at::Tensor x0 = 3.0 * at::randn({16, 4, 6}, gen, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor image = preview_from_x0(table, x0);
  ASSERT_EQ(image.sizes(), (std::vector<std::int64_t>{4, 6, 3}));
  EXPECT_EQ(image.scalar_type(), at::kByte);

  const at::Tensor factors =
      at::from_blob(const_cast<float*>(table.factors.data()), {16, 3}, at::kFloat).to(at::kDouble);
  const at::Tensor bias = at::from_blob(const_cast<float*>(table.bias.data()), {3}, at::kFloat).to(at::kDouble);
  const at::Tensor x = x0.to(at::kDouble);
  const at::Tensor rgb = at::einsum("chw,ck->hwk", {x, factors}) + bias;
  const at::Tensor expected = (((rgb + 1.0) / 2.0).clamp(0.0, 1.0) * 255.0).round();
  // float32 accumulation may flip a value sitting on a rounding edge by one step, never more.
  const at::Tensor diff = (image.to(at::kDouble) - expected).abs();
  EXPECT_LE(diff.max().item<double>(), 1.0);
  EXPECT_GE((diff == 0).sum().item<std::int64_t>(), 4 * 6 * 3 - 2);
}

TEST(LatentPreviewTorch, TileFromPackedTokensMatchesTheFullPreview) {
  const LatentPreviewTable& table = flux_preview_table();
  at::Generator gen = at::detail::createCPUGenerator(10);
  const at::Tensor x0 = at::randn({1, 16, 4, 6}, gen, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor full = preview_from_x0(table, x0[0]);
  const at::Tensor tokens = pack_latents(x0);  // [1, 6, 64], grid 2 × 3
  const PreviewTile tile = preview_tile_from_tokens(table, tokens.narrow(1, 3, 3), 3, 3);
  EXPECT_EQ(tile.x, 0);
  EXPECT_EQ(tile.y, 2);
  EXPECT_EQ(tile.width, 6);
  EXPECT_EQ(tile.height, 2);
  const at::Tensor crop = full.narrow(0, 2, 2).contiguous();
  ASSERT_EQ(tile.rgb.size(), static_cast<std::size_t>(crop.numel()));
  EXPECT_EQ(std::memcmp(tile.rgb.data(), crop.data_ptr<std::uint8_t>(), tile.rgb.size()), 0);
  EXPECT_CONTAINS(spstudio::testing::error_of([&] {
                    preview_tile_from_tokens(table, at::zeros({3, 60}), 0, 3);
                  }),
                  "[n, 64]");
}

}  // namespace
}  // namespace spstudio::models
