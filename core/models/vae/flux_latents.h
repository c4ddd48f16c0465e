// SPDX-License-Identifier: Apache-2.0
// Flux's latent layout (diffusers' FluxPipeline): the VAE's [B, C, h, w] latents are cut into 2×2
// patches, one token per patch with 4·C features in (c, dy, dx) order; tokens run row-major.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace spstudio::models {

/// [B, C, h, w] → [B, (h/2)·(w/2), 4C] (FluxPipeline._pack_latents). h and w must be even.
at::Tensor pack_latents(const at::Tensor& latents);
/// [B, (h/2)·(w/2), 4C] → [B, C, h, w] for latent height h and width w (not image pixels; even).
at::Tensor unpack_latents(const at::Tensor& tokens, std::int64_t height, std::int64_t width);

/// Position ids of the image tokens for the transformer's RoPE: [rows·cols, 3] float32 with
/// column 0 = 0, column 1 = token row, column 2 = token column (FluxPipeline._prepare_latent_image_ids).
at::Tensor latent_image_ids(std::int64_t rows, std::int64_t cols);

struct LatentSize {
  std::int64_t height = 0, width = 0;  ///< VAE latent pixels; both even
};

/// Latent size for an image of height × width pixels: 2·(H / (2·vae_scale_factor)) per side, like
/// FluxPipeline. Throws std::invalid_argument when a side is not a positive multiple of
/// 2·vae_scale_factor (FluxPipeline would silently crop), naming the nearest sizes that work.
LatentSize latent_size_for(std::int64_t height, std::int64_t width, std::int64_t vae_scale_factor);

/// Standard-normal starting latents [B, C, h, w], float32 on the CPU from a CPU generator seeded
/// with `seed`: the same seed gives the same noise on every machine and every rank. The caller
/// moves/casts it (and packs it).
at::Tensor initial_noise(std::int64_t batch, std::int64_t channels, std::int64_t height, std::int64_t width,
                         std::uint64_t seed);

}  // namespace spstudio::models
