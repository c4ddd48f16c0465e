// SPDX-License-Identifier: Apache-2.0
#include "models/vae/autoencoder_kl_config.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "models/vae/config_fields.h"

namespace spstudio::models {
namespace {

const std::string kWhere = "vae/config.json";

[[noreturn]] void bad(const std::string& message) {
  throw std::invalid_argument(kWhere + ": " + message);
}

}  // namespace

AutoencoderKLConfig AutoencoderKLConfig::from_json(const nlohmann::json& j) {
  namespace f = config_fields;
  const std::string class_name = f::string(j, "_class_name", "AutoencoderKL", kWhere);
  if (class_name != "AutoencoderKL") bad("is for " + class_name + ", expected AutoencoderKL");
  AutoencoderKLConfig c;
  c.in_channels = f::integer(j, "in_channels", c.in_channels, kWhere);
  c.out_channels = f::integer(j, "out_channels", c.out_channels, kWhere);
  c.latent_channels = f::integer(j, "latent_channels", c.latent_channels, kWhere);
  c.block_out_channels = f::integer_list(j, "block_out_channels", c.block_out_channels, kWhere);
  c.layers_per_block = f::integer(j, "layers_per_block", c.layers_per_block, kWhere);
  c.norm_num_groups = f::integer(j, "norm_num_groups", c.norm_num_groups, kWhere);
  c.scaling_factor = f::number(j, "scaling_factor", c.scaling_factor, kWhere);
  c.shift_factor = f::optional_number(j, "shift_factor", kWhere);
  c.use_quant_conv = f::boolean(j, "use_quant_conv", c.use_quant_conv, kWhere);
  c.use_post_quant_conv = f::boolean(j, "use_post_quant_conv", c.use_post_quant_conv, kWhere);
  c.mid_block_add_attention = f::boolean(j, "mid_block_add_attention", c.mid_block_add_attention, kWhere);
  // diffusers' default is a single block; a config with more blocks always lists them.
  c.up_block_types = f::string_list(j, "up_block_types", c.up_block_types, kWhere);
  const std::string act_fn = f::string(j, "act_fn", "silu", kWhere);
  if (act_fn != "silu") bad("\"act_fn\" is \"" + act_fn + "\"; only \"silu\" is implemented");
  c.validate();
  return c;
}

void AutoencoderKLConfig::validate() const {
  if (in_channels < 1 || out_channels < 1 || latent_channels < 1)
    bad("\"in_channels\", \"out_channels\" and \"latent_channels\" must be at least 1");
  if (block_out_channels.empty()) bad("\"block_out_channels\" must list at least one width");
  if (layers_per_block < 1) bad("\"layers_per_block\" must be at least 1, got " + std::to_string(layers_per_block));
  if (norm_num_groups < 1) bad("\"norm_num_groups\" must be at least 1, got " + std::to_string(norm_num_groups));
  if (scaling_factor == 0.0) bad("\"scaling_factor\" must not be 0 (decode divides by it)");
  for (const std::int64_t width : block_out_channels) {
    // GroupNorm splits the channels into norm_num_groups equal groups.
    if (width < 1 || width % norm_num_groups != 0)
      bad("every \"block_out_channels\" entry must be a positive multiple of \"norm_num_groups\" (" +
          std::to_string(norm_num_groups) + "), got " + std::to_string(width));
  }
  if (up_block_types.size() != block_out_channels.size())
    bad("\"up_block_types\" has " + std::to_string(up_block_types.size()) + " entries but \"block_out_channels\" has " +
        std::to_string(block_out_channels.size()) + "; they must match");
  for (const std::string& type : up_block_types) {
    if (type != "UpDecoderBlock2D")
      bad("\"up_block_types\" contains \"" + type + "\"; only \"UpDecoderBlock2D\" is implemented");
  }
}

}  // namespace spstudio::models
