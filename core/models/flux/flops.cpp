// SPDX-License-Identifier: Apache-2.0
#include "models/flux/flops.h"

#include <stdexcept>
#include <string>

namespace spstudio::models::flux {
namespace {

/// The MLP width blocks.cpp builds: FeedForward(dim, 4·dim) and proj_mlp(dim, 4·dim).
constexpr double kMlpRatio = 4.0;
/// diffusers' Timesteps(num_channels=256): the sinusoidal features the timestep and guidance
/// embedders take (embeddings.cpp).
constexpr double kTimestepFeatures = 256.0;

}  // namespace

FluxFlops flux_transformer_flop_breakdown(const FluxTransformerConfig& c, std::int64_t image_tokens,
                                          std::int64_t text_tokens) {
  if (image_tokens < 0 || text_tokens < 0)
    throw std::invalid_argument("flux_transformer_flops: token counts must not be negative, got " +
                                std::to_string(image_tokens) + " image and " + std::to_string(text_tokens) + " text");
  // Doubles throughout: the 1024² dev count (~7e13) overflows nothing, but products of int64 widths
  // and squared sequence lengths could at 4K.
  const double d = static_cast<double>(c.inner_dim());
  const double image = static_cast<double>(image_tokens), text = static_cast<double>(text_tokens);
  const double joint = image + text;
  const double mlp = kMlpRatio * d;
  const double out = static_cast<double>(c.patch_size * c.patch_size * c.out_channels);

  // Multiply-adds per token of one block. Double-stream: each token goes through its own stream's
  // weights only (image: to_q/k/v, to_out.0, ff; text: add_q/k/v_proj, to_add_out, ff_context).
  // Single-stream: to_q/k/v, proj_mlp, and proj_out over [attention | mlp] (width d + mlp).
  const double double_block_per_token = 3 * d * d + d * d + 2 * d * mlp;
  const double single_block_per_token = 3 * d * d + d * mlp + (d + mlp) * d;
  const double blocks = static_cast<double>(c.num_layers), single_blocks = static_cast<double>(c.num_single_layers);

  double linear_macs = image * static_cast<double>(c.in_channels) * d;   // x_embedder
  linear_macs += text * static_cast<double>(c.joint_attention_dim) * d;  // context_embedder
  linear_macs += joint * (blocks * double_block_per_token + single_blocks * single_block_per_token);
  linear_macs += image * d * out;  // proj_out

  const double attention_macs = (blocks + single_blocks) * 2 * joint * joint * d;  // QKᵀ and PV

  double per_sample_macs = kTimestepFeatures * d + d * d;                       // timestep_embedder linear_1, linear_2
  if (c.guidance_embeds) per_sample_macs += kTimestepFeatures * d + d * d;      // guidance_embedder
  per_sample_macs += static_cast<double>(c.pooled_projection_dim) * d + d * d;  // text_embedder
  per_sample_macs += blocks * 2 * (d * 6 * d);         // norm1 and norm1_context: 6 chunks each
  per_sample_macs += single_blocks * 2 * (d * 3 * d);  // norm: 3 chunks, called for image and text
  per_sample_macs += d * 2 * d;                        // norm_out: scale and shift

  return FluxFlops{2 * linear_macs, 2 * attention_macs, 2 * per_sample_macs};
}

double flux_transformer_flops(const FluxTransformerConfig& c, std::int64_t image_tokens, std::int64_t text_tokens) {
  return flux_transformer_flop_breakdown(c, image_tokens, text_tokens).total();
}

}  // namespace spstudio::models::flux
