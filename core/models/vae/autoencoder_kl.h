// SPDX-License-Identifier: Apache-2.0
// diffusers' AutoencoderKL, decoder half only. The module keeps diffusers' top-level names
// (decoder.*, post_quant_conv.*) so vae/diffusion_pytorch_model.safetensors loads as is; the
// encoder's keys in that file are skipped via ignored_key_prefixes().
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "models/vae/autoencoder_kl_config.h"
#include "models/vae/decoder.h"

namespace spstudio::models {

class AutoencoderKLImpl : public torch::nn::Module {
 public:
  explicit AutoencoderKLImpl(const AutoencoderKLConfig& config);

  /// DIFFUSION-space latents [B, latent_channels, h, w] (what the transformer denoises) → images
  /// [B, out_channels, h·f, w·f] in about [-1, 1], f = vae_scale_factor(). Undoes the latent
  /// normalisation first (latents / scaling_factor + shift_factor, as FluxPipeline does) and runs
  /// in the dtype and on the device of the module's weights.
  at::Tensor decode(const at::Tensor& latents);
  /// The decoder alone on VAE-space latents z (post_quant_conv first when configured): diffusers'
  /// AutoencoderKL.decode(z).sample, what `forward --component vae_decoder` feeds `z` to.
  at::Tensor decode_z(const at::Tensor& z);

  std::int64_t vae_scale_factor() const { return config_.vae_scale_factor(); }
  const AutoencoderKLConfig& config() const { return config_; }

  /// State-dict key prefixes of the encoder half (`encoder.`, `quant_conv.`), present in diffusers'
  /// checkpoint but not in this module: a loader drops keys starting with them instead of failing.
  static const std::vector<std::string>& ignored_key_prefixes();
  static bool is_ignored_key(const std::string& key);

  Decoder decoder{nullptr};
  torch::nn::Conv2d post_quant_conv{nullptr};  ///< 1×1, only when use_post_quant_conv (Flux: no)

 private:
  AutoencoderKLConfig config_;
};
TORCH_MODULE(AutoencoderKL);

/// Images in [-1, 1], [B, C, H, W] or [C, H, W] on any device/dtype → uint8 on the CPU, [B, H, W, C]
/// or [H, W, C]: round(clamp(x / 2 + 0.5, 0, 1) · 255), like diffusers' image processor.
at::Tensor to_image_u8(const at::Tensor& images);

}  // namespace spstudio::models
