// SPDX-License-Identifier: Apache-2.0
#include "models/vae/latent_preview_torch.h"

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace spstudio::models {

at::Tensor preview_from_x0(const LatentPreviewTable& table, const at::Tensor& x0_latents) {
  if (x0_latents.dim() != 3 || x0_latents.size(0) != table.channels)
    throw std::invalid_argument("preview_from_x0 expects latents [" + std::to_string(table.channels) + ", h, w], got " +
                                c10::str(x0_latents.sizes()));
  const at::Tensor x0 = x0_latents.to(at::kCPU, at::kFloat).contiguous();
  const int height = static_cast<int>(x0.size(1)), width = static_cast<int>(x0.size(2));
  const std::vector<std::uint8_t> rgb = preview_rgb(table, x0.data_ptr<float>(), height, width);
  at::Tensor image = at::empty({height, width, 3}, at::kByte);
  std::memcpy(image.data_ptr<std::uint8_t>(), rgb.data(), rgb.size());
  return image;
}

PreviewTile preview_tile_from_tokens(const LatentPreviewTable& table, const at::Tensor& x0_tokens,
                                     std::int64_t first_token, int grid_w) {
  const at::Tensor tokens = x0_tokens.dim() == 3 && x0_tokens.size(0) == 1 ? x0_tokens.squeeze(0) : x0_tokens;
  if (tokens.dim() != 2 || tokens.size(1) != 4 * table.channels)
    throw std::invalid_argument("preview_tile_from_tokens expects tokens [n, " + std::to_string(4 * table.channels) +
                                "], got " + c10::str(x0_tokens.sizes()));
  const at::Tensor cpu = tokens.to(at::kCPU, at::kFloat).contiguous();
  return preview_rgb_from_packed_tokens(table, cpu.data_ptr<float>(), first_token, cpu.size(0), grid_w);
}

}  // namespace spstudio::models
