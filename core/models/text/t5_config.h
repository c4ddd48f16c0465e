// SPDX-License-Identifier: Apache-2.0
// transformers' T5Config, the encoder half: the architecture of `text_encoder_2/` (config.json).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "models/text/activations.h"

namespace spstudio::models {

struct T5Config {
  std::int64_t vocab_size = 32128;
  std::int64_t d_model = 512;
  std::int64_t d_kv = 64;  ///< per-head width; heads × d_kv need not equal d_model
  std::int64_t d_ff = 2048;
  std::int64_t num_layers = 6;
  std::int64_t num_heads = 8;
  std::int64_t relative_attention_num_buckets = 32;
  std::int64_t relative_attention_max_distance = 128;
  double layer_norm_epsilon = 1e-6;
  /// "relu" (T5 v1.0, DenseReluDense.{wi,wo}) or "gated-<act>" (v1.1, {wi_0,wi_1,wo});
  /// "gated-gelu" means the tanh approximation (gelu_new), as in transformers.
  std::string feed_forward_proj = "relu";

  /// Keys left out take transformers' defaults. Throws std::invalid_argument naming the key for a
  /// value of the wrong type, a non-positive size or an unsupported feed_forward_proj.
  static T5Config from_json(const nlohmann::json& config);
  void validate() const;

  bool is_gated_act() const;
  Activation dense_activation() const;
  std::int64_t inner_dim() const { return num_heads * d_kv; }
};

}  // namespace spstudio::models
