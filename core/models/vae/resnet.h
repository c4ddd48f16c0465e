// SPDX-License-Identifier: Apache-2.0
// diffusers' ResnetBlock2D as the VAE decoder uses it: no time embedding, output_scale_factor 1.
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace spstudio::models {

/// GroupNorm eps of every VAE norm (diffusers passes resnet_eps=1e-6 throughout the decoder).
inline constexpr double kVaeNormEps = 1e-6;

/// x + conv2(silu(norm2(conv1(silu(norm1(x)))))), with a 1×1 conv_shortcut on x when the width changes.
class ResnetBlock2DImpl : public torch::nn::Module {
 public:
  ResnetBlock2DImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t groups);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::GroupNorm norm1{nullptr};
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::GroupNorm norm2{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::Conv2d conv_shortcut{nullptr};  ///< only when in_channels != out_channels
};
TORCH_MODULE(ResnetBlock2D);

/// GroupNorm(groups, channels, eps 1e-6, affine), the norm layer of every decoder block.
torch::nn::GroupNorm vae_group_norm(std::int64_t groups, std::int64_t channels);
/// 3×3 convolution with padding 1 and bias.
torch::nn::Conv2d conv3x3(std::int64_t in_channels, std::int64_t out_channels);

}  // namespace spstudio::models
