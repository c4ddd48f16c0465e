// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "error_text.h"
#include "models/vae/autoencoder_kl_config.h"

namespace spstudio::models {
namespace {

using spstudio::testing::error_of;

/// black-forest-labs/FLUX.1-dev vae/config.json.
nlohmann::json flux_vae_json() {
  return nlohmann::json::parse(R"({
    "_class_name": "AutoencoderKL", "_diffusers_version": "0.30.0.dev0", "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
    "force_upcast": true, "in_channels": 3, "latent_channels": 16, "latents_mean": null, "latents_std": null,
    "layers_per_block": 2, "mid_block_add_attention": true, "norm_num_groups": 32, "out_channels": 3,
    "sample_size": 1024, "scaling_factor": 0.3611, "shift_factor": 0.1159,
    "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
    "use_post_quant_conv": false, "use_quant_conv": false})");
}

std::string error_for(const nlohmann::json& j) {
  return error_of([&] { AutoencoderKLConfig::from_json(j); });
}

TEST(AutoencoderKLConfig, ReadsFluxVaeConfig) {
  const AutoencoderKLConfig c = AutoencoderKLConfig::from_json(flux_vae_json());
  EXPECT_EQ(c.in_channels, 3);
  EXPECT_EQ(c.out_channels, 3);
  EXPECT_EQ(c.latent_channels, 16);
  EXPECT_EQ(c.block_out_channels, (std::vector<std::int64_t>{128, 256, 512, 512}));
  EXPECT_EQ(c.layers_per_block, 2);
  EXPECT_EQ(c.norm_num_groups, 32);
  EXPECT_DOUBLE_EQ(c.scaling_factor, 0.3611);
  ASSERT_TRUE(c.shift_factor.has_value());
  EXPECT_DOUBLE_EQ(*c.shift_factor, 0.1159);
  EXPECT_FALSE(c.use_quant_conv);
  EXPECT_FALSE(c.use_post_quant_conv);
  EXPECT_TRUE(c.mid_block_add_attention);
  EXPECT_EQ(c.up_block_types.size(), 4u);
  EXPECT_EQ(c.vae_scale_factor(), 8);
}

TEST(AutoencoderKLConfig, AbsentKeysTakeDiffusersDefaultsAndNullShiftIsNone) {
  const AutoencoderKLConfig c = AutoencoderKLConfig::from_json(nlohmann::json::parse(R"({"shift_factor": null})"));
  EXPECT_EQ(c.latent_channels, 4);
  EXPECT_EQ(c.block_out_channels, (std::vector<std::int64_t>{64}));
  EXPECT_EQ(c.layers_per_block, 1);
  EXPECT_EQ(c.norm_num_groups, 32);
  EXPECT_DOUBLE_EQ(c.scaling_factor, 0.18215);
  EXPECT_FALSE(c.shift_factor.has_value());
  EXPECT_TRUE(c.use_post_quant_conv);
  EXPECT_EQ(c.vae_scale_factor(), 1);
}

TEST(AutoencoderKLConfig, WrongTypesNameTheKey) {
  nlohmann::json j = flux_vae_json();
  j["block_out_channels"] = {128, "256"};
  std::string what = error_for(j);
  EXPECT_CONTAINS(what, "vae/config.json");
  EXPECT_CONTAINS(what, "\"block_out_channels\" must be a list of integers");

  j = flux_vae_json();
  j["shift_factor"] = "0.1159";
  what = error_for(j);
  EXPECT_CONTAINS(what, "\"shift_factor\" must be a number or null");
  EXPECT_CONTAINS(what, "\"0.1159\"");

  j = flux_vae_json();
  j["use_post_quant_conv"] = 0;
  EXPECT_CONTAINS(error_for(j), "\"use_post_quant_conv\" must be true or false");

  j = flux_vae_json();
  j["layers_per_block"] = 2.5;
  EXPECT_CONTAINS(error_for(j), "\"layers_per_block\" must be an integer");
}

TEST(AutoencoderKLConfig, RefusesArchitecturesItDoesNotImplement) {
  nlohmann::json j = flux_vae_json();
  j["up_block_types"][1] = "AttnUpDecoderBlock2D";
  std::string what = error_for(j);
  EXPECT_CONTAINS(what, "\"AttnUpDecoderBlock2D\"");
  EXPECT_CONTAINS(what, "only \"UpDecoderBlock2D\"");

  j = flux_vae_json();
  j["up_block_types"] = {"UpDecoderBlock2D"};
  what = error_for(j);
  EXPECT_CONTAINS(what, "\"up_block_types\" has 1 entries but \"block_out_channels\" has 4");

  j = flux_vae_json();
  j["norm_num_groups"] = 24;
  what = error_for(j);
  EXPECT_CONTAINS(what, "multiple of \"norm_num_groups\" (24), got 128");

  j = flux_vae_json();
  j["act_fn"] = "gelu";
  EXPECT_CONTAINS(error_for(j), "\"act_fn\" is \"gelu\"");

  j = flux_vae_json();
  j["_class_name"] = "AutoencoderKLWan";
  EXPECT_CONTAINS(error_for(j), "is for AutoencoderKLWan, expected AutoencoderKL");

  j = flux_vae_json();
  j["scaling_factor"] = 0;
  EXPECT_CONTAINS(error_for(j), "\"scaling_factor\" must not be 0");
}

}  // namespace
}  // namespace spstudio::models
