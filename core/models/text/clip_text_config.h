// SPDX-License-Identifier: Apache-2.0
// transformers' CLIPTextConfig: the architecture of `text_encoder/` (config.json).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "models/text/activations.h"

namespace spstudio::models {

struct CLIPTextConfig {
  std::int64_t vocab_size = 49408;
  std::int64_t hidden_size = 512;
  std::int64_t intermediate_size = 2048;
  std::int64_t num_hidden_layers = 12;
  std::int64_t num_attention_heads = 8;
  std::int64_t max_position_embeddings = 77;
  std::string hidden_act = "quick_gelu";
  double layer_norm_eps = 1e-5;
  std::int64_t pad_token_id = 1;
  std::int64_t bos_token_id = 49406;
  /// 2 in configs written before transformers PR #24773 (Flux's CLIP-L among them): the pooled
  /// output is then taken at argmax(input_ids), where CLIP's eos (its largest id) sits.
  std::int64_t eos_token_id = 49407;

  /// Reads a CLIPTextModel config (or the "text_config" of a full CLIPConfig); keys left out take
  /// transformers' defaults. Throws std::invalid_argument naming the key for a value of the wrong
  /// type, a non-positive size, heads not dividing hidden_size or an unsupported hidden_act.
  static CLIPTextConfig from_json(const nlohmann::json& config);
  /// The checks from_json runs (for configs built in code).
  void validate() const;

  std::int64_t head_dim() const { return hidden_size / num_attention_heads; }
  Activation activation() const;
};

}  // namespace spstudio::models
