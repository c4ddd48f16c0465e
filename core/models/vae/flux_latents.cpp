// SPDX-License-Identifier: Apache-2.0
#include "models/vae/flux_latents.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>
#include <string>

namespace spstudio::models {
namespace {

void require_even(std::int64_t height, std::int64_t width, const char* what) {
  if (height < 2 || width < 2 || height % 2 != 0 || width % 2 != 0)
    throw std::invalid_argument(std::string(what) + ": the latent height and width must be even and at least 2, got " +
                                std::to_string(height) + "×" + std::to_string(width));
}

/// "height 1000 is not a multiple of 16 ... (e.g. 992 or 1008)".
void require_multiple(std::int64_t pixels, std::int64_t multiple, std::int64_t vae_scale_factor, const char* side) {
  if (pixels >= multiple && pixels % multiple == 0) return;
  const std::int64_t below = pixels / multiple * multiple;
  const std::string nearest =
      below >= multiple ? std::to_string(below) + " or " + std::to_string(below + multiple) : std::to_string(multiple);
  throw std::invalid_argument(std::string("image ") + side + " " + std::to_string(pixels) + " is not a multiple of " +
                              std::to_string(multiple) + " (the VAE scale factor " + std::to_string(vae_scale_factor) +
                              " × 2 for Flux's 2×2 latent patches); use a multiple of " + std::to_string(multiple) +
                              ", e.g. " + nearest);
}

}  // namespace

at::Tensor pack_latents(const at::Tensor& latents) {
  if (latents.dim() != 4)
    throw std::invalid_argument("pack_latents expects latents [B, C, h, w], got " + c10::str(latents.sizes()));
  const std::int64_t b = latents.size(0), c = latents.size(1), h = latents.size(2), w = latents.size(3);
  require_even(h, w, "pack_latents");
  return latents.view({b, c, h / 2, 2, w / 2, 2}).permute({0, 2, 4, 1, 3, 5}).reshape({b, (h / 2) * (w / 2), c * 4});
}

at::Tensor unpack_latents(const at::Tensor& tokens, std::int64_t height, std::int64_t width) {
  require_even(height, width, "unpack_latents");
  const std::int64_t n = (height / 2) * (width / 2);
  if (tokens.dim() != 3 || tokens.size(1) != n || tokens.size(2) % 4 != 0)
    throw std::invalid_argument("unpack_latents: a " + std::to_string(height) + "×" + std::to_string(width) +
                                " latent needs tokens [B, " + std::to_string(n) + ", 4·C], got " +
                                c10::str(tokens.sizes()));
  const std::int64_t b = tokens.size(0), c = tokens.size(2) / 4;
  return tokens.reshape({b, height / 2, width / 2, c, 2, 2}).permute({0, 3, 1, 4, 2, 5}).reshape({b, c, height, width});
}

at::Tensor latent_image_ids(std::int64_t rows, std::int64_t cols) {
  if (rows < 1 || cols < 1)
    throw std::invalid_argument("latent_image_ids: rows and cols must be at least 1, got " + std::to_string(rows) +
                                "×" + std::to_string(cols));
  at::Tensor ids = at::zeros({rows, cols, 3}, at::kFloat);
  ids.select(2, 1).copy_(at::arange(rows, at::kFloat).unsqueeze(1).expand({rows, cols}));
  ids.select(2, 2).copy_(at::arange(cols, at::kFloat).unsqueeze(0).expand({rows, cols}));
  return ids.reshape({rows * cols, 3});
}

LatentSize latent_size_for(std::int64_t height, std::int64_t width, std::int64_t vae_scale_factor) {
  if (vae_scale_factor < 1)
    throw std::invalid_argument("latent_size_for: vae_scale_factor must be at least 1, got " +
                                std::to_string(vae_scale_factor));
  const std::int64_t multiple = 2 * vae_scale_factor;
  require_multiple(height, multiple, vae_scale_factor, "height");
  require_multiple(width, multiple, vae_scale_factor, "width");
  return {2 * (height / multiple), 2 * (width / multiple)};
}

at::Tensor initial_noise(std::int64_t batch, std::int64_t channels, std::int64_t height, std::int64_t width,
                         std::uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  return at::randn({batch, channels, height, width}, generator, at::TensorOptions().dtype(at::kFloat));
}

}  // namespace spstudio::models
