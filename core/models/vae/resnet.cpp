// SPDX-License-Identifier: Apache-2.0
#include "models/vae/resnet.h"

namespace spstudio::models {

torch::nn::GroupNorm vae_group_norm(std::int64_t groups, std::int64_t channels) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, channels).eps(kVaeNormEps));
}

torch::nn::Conv2d conv3x3(std::int64_t in_channels, std::int64_t out_channels) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1));
}

ResnetBlock2DImpl::ResnetBlock2DImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t groups) {
  norm1 = register_module("norm1", vae_group_norm(groups, in_channels));
  conv1 = register_module("conv1", conv3x3(in_channels, out_channels));
  norm2 = register_module("norm2", vae_group_norm(groups, out_channels));
  conv2 = register_module("conv2", conv3x3(out_channels, out_channels));
  if (in_channels != out_channels) {
    conv_shortcut =
        register_module("conv_shortcut", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)));
  }
}

at::Tensor ResnetBlock2DImpl::forward(const at::Tensor& x) {
  at::Tensor h = conv1->forward(at::silu(norm1->forward(x)));
  h = conv2->forward(at::silu(norm2->forward(h)));
  const at::Tensor shortcut = conv_shortcut ? conv_shortcut->forward(x) : x;
  return shortcut + h;
}

}  // namespace spstudio::models
