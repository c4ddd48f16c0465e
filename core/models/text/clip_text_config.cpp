// SPDX-License-Identifier: Apache-2.0
#include "models/text/clip_text_config.h"

#include <stdexcept>

#include "models/text/config_values.h"

namespace spstudio::models {
namespace {
constexpr const char* kOwner = "CLIPTextConfig";
}

CLIPTextConfig CLIPTextConfig::from_json(const nlohmann::json& json) {
  require_config_object(json, kOwner);
  const nlohmann::json& c =
      json.contains("text_config") && json["text_config"].is_object() ? json["text_config"] : json;
  CLIPTextConfig d;  // transformers' defaults
  CLIPTextConfig config;
  config.vocab_size = config_int(c, "vocab_size", d.vocab_size, kOwner);
  config.hidden_size = config_int(c, "hidden_size", d.hidden_size, kOwner);
  config.intermediate_size = config_int(c, "intermediate_size", d.intermediate_size, kOwner);
  config.num_hidden_layers = config_int(c, "num_hidden_layers", d.num_hidden_layers, kOwner);
  config.num_attention_heads = config_int(c, "num_attention_heads", d.num_attention_heads, kOwner);
  config.max_position_embeddings = config_int(c, "max_position_embeddings", d.max_position_embeddings, kOwner);
  config.hidden_act = config_string(c, "hidden_act", d.hidden_act, kOwner);
  config.layer_norm_eps = config_double(c, "layer_norm_eps", d.layer_norm_eps, kOwner);
  config.pad_token_id = config_int(c, "pad_token_id", d.pad_token_id, kOwner);
  config.bos_token_id = config_int(c, "bos_token_id", d.bos_token_id, kOwner);
  config.eos_token_id = config_int(c, "eos_token_id", d.eos_token_id, kOwner);
  config.validate();
  return config;
}

void CLIPTextConfig::validate() const {
  require_positive(vocab_size, "vocab_size", kOwner);
  require_positive(hidden_size, "hidden_size", kOwner);
  require_positive(intermediate_size, "intermediate_size", kOwner);
  require_positive(num_hidden_layers, "num_hidden_layers", kOwner);
  require_positive(num_attention_heads, "num_attention_heads", kOwner);
  require_positive(max_position_embeddings, "max_position_embeddings", kOwner);
  if (hidden_size % num_attention_heads != 0) {
    throw std::invalid_argument(std::string(kOwner) + ": 'hidden_size' " + std::to_string(hidden_size) +
                                " is not divisible by 'num_attention_heads' " + std::to_string(num_attention_heads));
  }
  if (!(layer_norm_eps > 0)) throw std::invalid_argument(std::string(kOwner) + ": 'layer_norm_eps' must be positive");
  activation();
}

Activation CLIPTextConfig::activation() const {
  return parse_activation(hidden_act, "hidden_act", kOwner);
}

}  // namespace spstudio::models
