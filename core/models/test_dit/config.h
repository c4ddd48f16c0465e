// SPDX-License-Identifier: Apache-2.0
// The test DiT: a small Flux-shaped joint text+image transformer used as the engine's test
// subject (multi-process SP tests, hook-overhead benchmark, headless demo). Not a real model
// family: those come with their own configs and weights.
#pragma once

#include <cstdint>

namespace spstudio::models {

struct TestDiTConfig {
  std::int64_t in_channels = 16;  ///< latent channels per token
  std::int64_t text_dim = 24;     ///< text encoder width
  std::int64_t heads = 4;
  std::int64_t kv_heads = 4;  ///< < heads for grouped-query attention
  std::int64_t head_dim = 16;
  std::int64_t double_blocks = 2;  ///< joint blocks with separate text and image weights
  std::int64_t single_blocks = 1;  ///< blocks sharing weights between text and image rows
  std::int64_t mlp_ratio = 2;
  /// Each double block also cross-attends to the text (Wan-style), locally under SP.
  bool cross_attention = true;
  std::int64_t cross_heads = 2;  ///< deliberately not divisible by every Ulysses degree
  /// rope_prepare returns one [text | image] table pair (a partial-split plan) instead of
  /// separate text and image tables.
  bool joint_rope_table = false;
  double rope_theta = 10000.0;

  std::int64_t hidden() const { return heads * head_dim; }
};

}  // namespace spstudio::models
