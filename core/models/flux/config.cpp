// SPDX-License-Identifier: Apache-2.0
#include "models/flux/config.h"

#include <nlohmann/json.hpp>

#include <numeric>
#include <stdexcept>

#include "models/config_json.h"

namespace spstudio::models {

FluxTransformerConfig FluxTransformerConfig::from_json(const nlohmann::json& j) {
  const ConfigReader r(j, "transformer config");
  FluxTransformerConfig c;
  r.expect_class("FluxTransformer2DModel");
  r.get("patch_size", c.patch_size);
  r.get("in_channels", c.in_channels);
  c.out_channels = c.in_channels;
  r.get("out_channels", c.out_channels);  // null keeps in_channels
  r.get("num_layers", c.num_layers);
  r.get("num_single_layers", c.num_single_layers);
  r.get("attention_head_dim", c.attention_head_dim);
  r.get("num_attention_heads", c.num_attention_heads);
  r.get("joint_attention_dim", c.joint_attention_dim);
  r.get("pooled_projection_dim", c.pooled_projection_dim);
  r.get("guidance_embeds", c.guidance_embeds);
  r.get("axes_dims_rope", c.axes_dims_rope);
  r.get("rope_theta", c.rope_theta);

  if (c.patch_size != 1)
    throw std::runtime_error("transformer config: patch_size " + std::to_string(c.patch_size) +
                             " is not supported (Flux packs 2x2 latent patches in the pipeline; patch_size is 1)");
  const std::int64_t rope_dims = std::accumulate(c.axes_dims_rope.begin(), c.axes_dims_rope.end(), std::int64_t{0});
  if (rope_dims != c.attention_head_dim)
    throw std::runtime_error("transformer config: axes_dims_rope sums to " + std::to_string(rope_dims) +
                             " but attention_head_dim is " + std::to_string(c.attention_head_dim));
  for (std::int64_t d : c.axes_dims_rope)
    if (d <= 0 || d % 2 != 0)
      throw std::runtime_error("transformer config: every axes_dims_rope entry must be a positive even number");
  for (std::int64_t v : {c.in_channels, c.out_channels, c.num_attention_heads, c.attention_head_dim,
                         c.joint_attention_dim, c.pooled_projection_dim})
    if (v <= 0) throw std::runtime_error("transformer config: widths and head counts must be positive");
  return c;
}

nlohmann::json FluxTransformerConfig::to_json() const {
  return {{"_class_name", "FluxTransformer2DModel"},
          {"patch_size", patch_size},
          {"in_channels", in_channels},
          {"out_channels", out_channels},
          {"num_layers", num_layers},
          {"num_single_layers", num_single_layers},
          {"attention_head_dim", attention_head_dim},
          {"num_attention_heads", num_attention_heads},
          {"joint_attention_dim", joint_attention_dim},
          {"pooled_projection_dim", pooled_projection_dim},
          {"guidance_embeds", guidance_embeds},
          {"axes_dims_rope", axes_dims_rope}};
}

FluxTransformerConfig FluxTransformerConfig::flux1(bool guidance) {
  FluxTransformerConfig c;  // the defaults are FLUX.1's
  c.guidance_embeds = guidance;
  return c;
}

}  // namespace spstudio::models
