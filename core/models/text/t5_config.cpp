// SPDX-License-Identifier: Apache-2.0
#include "models/text/t5_config.h"

#include <stdexcept>

#include "models/text/config_values.h"

namespace spstudio::models {
namespace {

constexpr const char* kOwner = "T5Config";

// feed_forward_proj is "<act>" or "gated-<act>" (transformers' parsing).
std::pair<bool, std::string> parse_feed_forward(const std::string& proj) {
  const std::size_t dash = proj.find('-');
  if (dash == std::string::npos) return {false, proj};
  if (proj.substr(0, dash) != "gated" || proj.find('-', dash + 1) != std::string::npos) {
    throw std::invalid_argument(std::string(kOwner) + ": unsupported 'feed_forward_proj' \"" + proj +
                                "\" (expected \"<act>\" or \"gated-<act>\", e.g. \"relu\" or \"gated-gelu\")");
  }
  const std::string act = proj.substr(dash + 1);
  return {true, act == "gelu" ? "gelu_new" : act};
}

}  // namespace

T5Config T5Config::from_json(const nlohmann::json& c) {
  require_config_object(c, kOwner);
  T5Config d;
  T5Config config;
  config.vocab_size = config_int(c, "vocab_size", d.vocab_size, kOwner);
  config.d_model = config_int(c, "d_model", d.d_model, kOwner);
  config.d_kv = config_int(c, "d_kv", d.d_kv, kOwner);
  config.d_ff = config_int(c, "d_ff", d.d_ff, kOwner);
  config.num_layers = config_int(c, "num_layers", d.num_layers, kOwner);
  config.num_heads = config_int(c, "num_heads", d.num_heads, kOwner);
  config.relative_attention_num_buckets =
      config_int(c, "relative_attention_num_buckets", d.relative_attention_num_buckets, kOwner);
  config.relative_attention_max_distance =
      config_int(c, "relative_attention_max_distance", d.relative_attention_max_distance, kOwner);
  config.layer_norm_epsilon = config_double(c, "layer_norm_epsilon", d.layer_norm_epsilon, kOwner);
  config.feed_forward_proj = config_string(c, "feed_forward_proj", d.feed_forward_proj, kOwner);
  config.validate();
  return config;
}

void T5Config::validate() const {
  require_positive(vocab_size, "vocab_size", kOwner);
  require_positive(d_model, "d_model", kOwner);
  require_positive(d_kv, "d_kv", kOwner);
  require_positive(d_ff, "d_ff", kOwner);
  require_positive(num_layers, "num_layers", kOwner);
  require_positive(num_heads, "num_heads", kOwner);
  // Two directions, each with at least one exact bucket and one logarithmic bucket.
  if (relative_attention_num_buckets < 4) {
    throw std::invalid_argument(std::string(kOwner) + ": 'relative_attention_num_buckets' must be at least 4, got " +
                                std::to_string(relative_attention_num_buckets));
  }
  if (relative_attention_max_distance <= relative_attention_num_buckets / 4) {
    throw std::invalid_argument(std::string(kOwner) +
                                ": 'relative_attention_max_distance' must exceed a quarter of the buckets, got " +
                                std::to_string(relative_attention_max_distance));
  }
  if (!(layer_norm_epsilon > 0)) {
    throw std::invalid_argument(std::string(kOwner) + ": 'layer_norm_epsilon' must be positive");
  }
  dense_activation();
}

bool T5Config::is_gated_act() const {
  return parse_feed_forward(feed_forward_proj).first;
}

Activation T5Config::dense_activation() const {
  const auto [gated, act] = parse_feed_forward(feed_forward_proj);
  (void)gated;
  try {
    return parse_activation(act, "feed_forward_proj", kOwner);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(std::string(kOwner) + ": unsupported 'feed_forward_proj' \"" + feed_forward_proj +
                                "\" (supported: relu, gelu, silu and their gated- forms, e.g. gated-gelu)");
  }
}

}  // namespace spstudio::models
