// SPDX-License-Identifier: Apache-2.0
#include "models/vae/autoencoder_kl.h"

#include <stdexcept>

namespace spstudio::models {

AutoencoderKLImpl::AutoencoderKLImpl(const AutoencoderKLConfig& config) : config_(config) {
  decoder = register_module("decoder", Decoder(config));
  if (config.use_post_quant_conv) {
    post_quant_conv =
        register_module("post_quant_conv",
                        torch::nn::Conv2d(torch::nn::Conv2dOptions(config.latent_channels, config.latent_channels, 1)));
  }
}

at::Tensor AutoencoderKLImpl::decode(const at::Tensor& latents) {
  if (latents.dim() != 4 || latents.size(1) != config_.latent_channels)
    throw std::invalid_argument("AutoencoderKL.decode expects latents [B, " + std::to_string(config_.latent_channels) +
                                ", h, w], got " + c10::str(latents.sizes()));
  // The transformer works on normalised latents; the decoder was trained on the raw ones.
  // Computed in at least float32 so a bfloat16 pipeline does not lose the shift's precision.
  const at::ScalarType compute = at::promote_types(latents.scalar_type(), at::kFloat);
  at::Tensor z = latents.to(compute) / config_.scaling_factor;
  if (config_.shift_factor) z = z + *config_.shift_factor;
  return decode_z(z);
}

at::Tensor AutoencoderKLImpl::decode_z(const at::Tensor& z) {
  const at::Tensor& weight = decoder->conv_in->weight;
  at::Tensor h = z.to(weight.device(), weight.scalar_type());
  if (post_quant_conv) h = post_quant_conv->forward(h);
  return decoder->forward(h);
}

const std::vector<std::string>& AutoencoderKLImpl::ignored_key_prefixes() {
  static const std::vector<std::string> prefixes{"encoder.", "quant_conv."};
  return prefixes;
}

bool AutoencoderKLImpl::is_ignored_key(const std::string& key) {
  for (const std::string& prefix : ignored_key_prefixes())
    if (key.compare(0, prefix.size(), prefix) == 0) return true;
  return false;
}

at::Tensor to_image_u8(const at::Tensor& images) {
  if (images.dim() != 3 && images.dim() != 4)
    throw std::invalid_argument("to_image_u8 expects images [B, C, H, W] or [C, H, W], got " +
                                c10::str(images.sizes()));
  const at::Tensor unit = (images.to(at::kCPU, at::kFloat) / 2.0 + 0.5).clamp(0.0, 1.0);
  const at::Tensor channels_last = images.dim() == 4 ? unit.permute({0, 2, 3, 1}) : unit.permute({1, 2, 0});
  return (channels_last * 255.0).round().to(at::kByte).contiguous();
}

}  // namespace spstudio::models
