// SPDX-License-Identifier: Apache-2.0
// FluxTransformer2DModel's architecture, read from a diffusers transformer/config.json.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace spstudio::models {

struct FluxTransformerConfig {
  std::int64_t patch_size = 1;  ///< the pipeline packs 2×2 latent patches itself; only 1 is supported
  std::int64_t in_channels = 64;
  std::int64_t out_channels = 64;  ///< null in config.json = in_channels
  std::int64_t num_layers = 19;    ///< double-stream blocks
  std::int64_t num_single_layers = 38;
  std::int64_t attention_head_dim = 128;
  std::int64_t num_attention_heads = 24;
  std::int64_t joint_attention_dim = 4096;   ///< T5 width
  std::int64_t pooled_projection_dim = 768;  ///< CLIP pooled width
  bool guidance_embeds = false;              ///< true for FLUX.1-dev (distilled guidance)
  std::vector<std::int64_t> axes_dims_rope = {16, 56, 56};
  double rope_theta = 10000.0;

  std::int64_t inner_dim() const { return num_attention_heads * attention_head_dim; }

  /// Throws std::runtime_error naming the key for a wrong type or an inconsistent value
  /// (axes_dims_rope must sum to attention_head_dim).
  static FluxTransformerConfig from_json(const nlohmann::json& config);
  nlohmann::json to_json() const;

  /// FLUX.1-dev / -schnell sizes (12B parameters); `guidance` selects dev.
  static FluxTransformerConfig flux1(bool guidance);
};

}  // namespace spstudio::models
