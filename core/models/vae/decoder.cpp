// SPDX-License-Identifier: Apache-2.0
#include "models/vae/decoder.h"

#include "models/vae/mid_attention.h"
#include "models/vae/resnet.h"

namespace spstudio::models {

UNetMidBlock2DImpl::UNetMidBlock2DImpl(std::int64_t channels, std::int64_t groups, bool add_attention) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  attentions = register_module("attentions", torch::nn::ModuleList());
  resnets->push_back(ResnetBlock2D(channels, channels, groups));
  if (add_attention) attentions->push_back(MidBlockAttention(channels, groups));
  resnets->push_back(ResnetBlock2D(channels, channels, groups));
}

at::Tensor UNetMidBlock2DImpl::forward(const at::Tensor& x) {
  at::Tensor h = resnets->ptr<ResnetBlock2DImpl>(0)->forward(x);
  if (!attentions->is_empty()) h = attentions->ptr<MidBlockAttentionImpl>(0)->forward(h);
  return resnets->ptr<ResnetBlock2DImpl>(1)->forward(h);
}

Upsample2DImpl::Upsample2DImpl(std::int64_t channels) {
  conv = register_module("conv", conv3x3(channels, channels));
}

at::Tensor Upsample2DImpl::forward(const at::Tensor& x) {
  // Nearest upsampling has no bfloat16 CPU kernel in older LibTorch; diffusers upcasts the same way.
  const bool upcast = x.scalar_type() == at::kBFloat16;
  at::Tensor up = at::upsample_nearest2d(upcast ? x.to(at::kFloat) : x, {x.size(2) * 2, x.size(3) * 2});
  if (upcast) up = up.to(at::kBFloat16);
  return conv->forward(up);
}

UpDecoderBlock2DImpl::UpDecoderBlock2DImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t num_layers,
                                           std::int64_t groups, bool add_upsample) {
  resnets = register_module("resnets", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < num_layers; ++i)
    resnets->push_back(ResnetBlock2D(i == 0 ? in_channels : out_channels, out_channels, groups));
  if (add_upsample) {
    upsamplers = register_module("upsamplers", torch::nn::ModuleList());
    upsamplers->push_back(Upsample2D(out_channels));
  }
}

at::Tensor UpDecoderBlock2DImpl::forward(const at::Tensor& x) {
  at::Tensor h = x;
  for (std::size_t i = 0; i < resnets->size(); ++i)
    h = resnets->ptr<ResnetBlock2DImpl>(i)->forward(h);
  if (upsamplers) h = upsamplers->ptr<Upsample2DImpl>(0)->forward(h);
  return h;
}

DecoderImpl::DecoderImpl(const AutoencoderKLConfig& config) {
  config.validate();
  const std::vector<std::int64_t>& widths = config.block_out_channels;
  const std::int64_t groups = config.norm_num_groups;
  conv_in = register_module("conv_in", conv3x3(config.latent_channels, widths.back()));
  mid_block = register_module("mid_block", UNetMidBlock2D(widths.back(), groups, config.mid_block_add_attention));
  // Up blocks run from the widest (deepest) level back to block_out_channels[0].
  up_blocks = register_module("up_blocks", torch::nn::ModuleList());
  std::int64_t previous = widths.back();
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::int64_t width = widths[widths.size() - 1 - i];
    const bool last = i + 1 == widths.size();
    up_blocks->push_back(UpDecoderBlock2D(previous, width, config.layers_per_block + 1, groups, !last));
    previous = width;
  }
  conv_norm_out = register_module("conv_norm_out", vae_group_norm(groups, widths.front()));
  conv_out = register_module("conv_out", conv3x3(widths.front(), config.out_channels));
}

at::Tensor DecoderImpl::forward(const at::Tensor& z) {
  at::Tensor h = mid_block->forward(conv_in->forward(z));
  for (std::size_t i = 0; i < up_blocks->size(); ++i)
    h = up_blocks->ptr<UpDecoderBlock2DImpl>(i)->forward(h);
  return conv_out->forward(at::silu(conv_norm_out->forward(h)));
}

}  // namespace spstudio::models
