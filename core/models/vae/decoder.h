// SPDX-License-Identifier: Apache-2.0
// diffusers' VAE Decoder (models/autoencoders/vae.py) with its state-dict names: conv_in, mid_block,
// up_blocks.N.{resnets.M, upsamplers.0.conv}, conv_norm_out, conv_out.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "models/vae/autoencoder_kl_config.h"

namespace spstudio::models {

/// resnets.0 → (attentions.0 → resnets.1); without attention when mid_block_add_attention is false.
class UNetMidBlock2DImpl : public torch::nn::Module {
 public:
  UNetMidBlock2DImpl(std::int64_t channels, std::int64_t groups, bool add_attention);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::ModuleList resnets{nullptr};
  torch::nn::ModuleList attentions{nullptr};  ///< empty without attention (diffusers stores None: no keys)
};
TORCH_MODULE(UNetMidBlock2D);

/// Nearest-neighbour 2× upsampling followed by a 3×3 conv.
class Upsample2DImpl : public torch::nn::Module {
 public:
  explicit Upsample2DImpl(std::int64_t channels);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

/// layers_per_block + 1 resnets, then (except in the last block) one Upsample2D.
class UpDecoderBlock2DImpl : public torch::nn::Module {
 public:
  UpDecoderBlock2DImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t num_layers,
                       std::int64_t groups, bool add_upsample);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::ModuleList resnets{nullptr};
  torch::nn::ModuleList upsamplers{nullptr};  ///< absent (no keys) in the last block
};
TORCH_MODULE(UpDecoderBlock2D);

/// latents [B, latent_channels, h, w] → images [B, out_channels, h·f, w·f], f = vae_scale_factor.
class DecoderImpl : public torch::nn::Module {
 public:
  explicit DecoderImpl(const AutoencoderKLConfig& config);
  at::Tensor forward(const at::Tensor& z);

  torch::nn::Conv2d conv_in{nullptr};
  UNetMidBlock2D mid_block{nullptr};
  torch::nn::ModuleList up_blocks{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};
  torch::nn::Conv2d conv_out{nullptr};
};
TORCH_MODULE(Decoder);

}  // namespace spstudio::models
