// SPDX-License-Identifier: Apache-2.0
// diffusers' AutoencoderKL configuration (vae/config.json), limited to what the decoder needs.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spstudio::models {

struct AutoencoderKLConfig {
  // Defaults are diffusers' AutoencoderKL.__init__ defaults (Flux's file overrides most of them).
  std::int64_t in_channels = 3;
  std::int64_t out_channels = 3;
  std::int64_t latent_channels = 4;
  std::vector<std::int64_t> block_out_channels{64};
  std::int64_t layers_per_block = 1;
  std::int64_t norm_num_groups = 32;
  double scaling_factor = 0.18215;
  std::optional<double> shift_factor;  ///< null in SD-style VAEs; 0.1159 for Flux
  bool use_quant_conv = true;
  bool use_post_quant_conv = true;
  bool mid_block_add_attention = true;
  /// One per entry of block_out_channels; only "UpDecoderBlock2D" is implemented.
  std::vector<std::string> up_block_types{"UpDecoderBlock2D"};

  /// 2^(len(block_out_channels) - 1): image pixels per latent pixel along each side.
  std::int64_t vae_scale_factor() const {
    return block_out_channels.empty() ? 1 : std::int64_t{1} << (block_out_channels.size() - 1);
  }

  /// Reads vae/config.json; unknown keys (encoder-only settings, _class_name, ...) are ignored.
  /// Throws std::invalid_argument naming the key on a wrong type or an unsupported value.
  static AutoencoderKLConfig from_json(const nlohmann::json& j);
  /// The checks from_json runs, for configs built in code (builtin tiny models, tests).
  void validate() const;
};

}  // namespace spstudio::models
