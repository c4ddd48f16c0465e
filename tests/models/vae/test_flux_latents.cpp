// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "error_text.h"
#include "models/vae/flux_latents.h"

namespace spstudio::models {
namespace {

using spstudio::testing::error_of;

at::Tensor arange_latents(std::int64_t b, std::int64_t c, std::int64_t h, std::int64_t w) {
  return at::arange(b * c * h * w, at::kFloat).view({b, c, h, w});
}

TEST(FluxLatents, PackPutsEach2x2PatchIntoOneTokenInChannelRowColumnOrder) {
  const std::int64_t b = 2, c = 3, h = 4, w = 6;
  const at::Tensor latents = arange_latents(b, c, h, w);
  const at::Tensor tokens = pack_latents(latents);
  ASSERT_EQ(tokens.sizes(), (std::vector<std::int64_t>{b, (h / 2) * (w / 2), 4 * c}));
  // Every element: latents[n, ch, y, x] → token (y/2)·(w/2) + x/2, feature ch·4 + (y%2)·2 + x%2.
  const auto src = latents.accessor<float, 4>();
  const auto dst = tokens.accessor<float, 3>();
  for (std::int64_t n = 0; n < b; ++n)
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x)
          ASSERT_EQ(dst[n][(y / 2) * (w / 2) + x / 2][ch * 4 + (y % 2) * 2 + x % 2], src[n][ch][y][x]);
  // Two spot checks by hand: token 0 holds latents[0, 0, 0..1, 0..1] = 0, 1, 6, 7 first.
  EXPECT_EQ(tokens[0][0][1].item<float>(), 1.0f);
  EXPECT_EQ(tokens[0][0][2].item<float>(), 6.0f);
  // Token 4 = patch row 1, column 1: channel 2 at (y, x) = (3, 3) → 2·24 + 3·6 + 3 = 69, feature 2·4 + 3.
  EXPECT_EQ(tokens[0][4][11].item<float>(), 69.0f);
}

TEST(FluxLatents, UnpackInvertsPack) {
  at::Generator gen = at::detail::createCPUGenerator(3);
  const at::Tensor latents = at::randn({1, 16, 6, 4}, gen, at::TensorOptions().dtype(at::kFloat));
  EXPECT_TRUE(at::equal(unpack_latents(pack_latents(latents), 6, 4), latents));
  const at::Tensor tokens = at::randn({2, 6, 64}, gen, at::TensorOptions().dtype(at::kFloat));
  EXPECT_TRUE(at::equal(pack_latents(unpack_latents(tokens, 4, 6)), tokens));
}

TEST(FluxLatents, ShapeErrorsSayWhatIsExpected) {
  EXPECT_CONTAINS(error_of([] { pack_latents(at::zeros({1, 4, 3, 4})); }), "must be even");
  const std::string what = error_of([] { unpack_latents(at::zeros({1, 5, 64}), 4, 6); });
  EXPECT_CONTAINS(what, "needs tokens [B, 6, 4·C]");
  EXPECT_CONTAINS(what, "[1, 5, 64]");
}

TEST(FluxLatents, ImageIdsAreRowAndColumnOfEachToken) {
  const at::Tensor ids = latent_image_ids(3, 4);
  ASSERT_EQ(ids.sizes(), (std::vector<std::int64_t>{12, 3}));
  EXPECT_EQ(ids.scalar_type(), at::kFloat);
  const auto a = ids.accessor<float, 2>();
  for (int k = 0; k < 12; ++k) {
    EXPECT_EQ(a[k][0], 0.0f);
    EXPECT_EQ(a[k][1], static_cast<float>(k / 4)) << k;
    EXPECT_EQ(a[k][2], static_cast<float>(k % 4)) << k;
  }
}

TEST(FluxLatents, LatentSizeFollowsFluxPipeline) {
  const LatentSize s = latent_size_for(1024, 768, 8);
  EXPECT_EQ(s.height, 128);
  EXPECT_EQ(s.width, 96);
  EXPECT_EQ(latent_size_for(16, 48, 8).width, 6);
  std::string what = error_of([] { latent_size_for(1000, 1024, 8); });
  EXPECT_CONTAINS(what, "height 1000 is not a multiple of 16");
  EXPECT_CONTAINS(what, "992 or 1008");
  what = error_of([] { latent_size_for(512, 8, 8); });
  EXPECT_CONTAINS(what, "width 8");
  EXPECT_CONTAINS(what, "e.g. 16");
}

TEST(FluxLatents, InitialNoiseIsSeededStandardNormal) {
  const at::Tensor a = initial_noise(1, 16, 64, 64, 42);
  EXPECT_EQ(a.sizes(), (std::vector<std::int64_t>{1, 16, 64, 64}));
  EXPECT_EQ(a.scalar_type(), at::kFloat);
  EXPECT_TRUE(a.device().is_cpu());
  EXPECT_TRUE(at::equal(a, initial_noise(1, 16, 64, 64, 42)));
  EXPECT_FALSE(at::equal(a, initial_noise(1, 16, 64, 64, 43)));
  // Global RNG state must not matter.
  at::manual_seed(7);
  EXPECT_TRUE(at::equal(a, initial_noise(1, 16, 64, 64, 42)));
  EXPECT_NEAR(a.mean().item<double>(), 0.0, 0.03);
  EXPECT_NEAR(a.std().item<double>(), 1.0, 0.03);
}

}  // namespace
}  // namespace spstudio::models
