// SPDX-License-Identifier: Apache-2.0
// The VAE decoder against a float64 functional re-implementation of diffusers' Decoder that reads
// the module's parameters by their state-dict key names (so it checks the names too).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "error_text.h"
#include "models/vae/autoencoder_kl.h"
#include "models/vae/mid_attention.h"

namespace spstudio::models {
namespace {

AutoencoderKLConfig tiny_config() {
  AutoencoderKLConfig c;
  c.latent_channels = 16;
  c.out_channels = 3;
  c.block_out_channels = {8, 8, 16, 16};
  c.up_block_types.assign(4, "UpDecoderBlock2D");
  c.layers_per_block = 1;
  c.norm_num_groups = 4;
  c.scaling_factor = 0.3611;
  c.shift_factor = 0.1159;
  c.use_quant_conv = false;
  c.use_post_quant_conv = false;
  return c;
}

/// Seeded weights with every tensor far from its default (norm scales around 1, non-zero biases),
/// so a swapped or skipped parameter changes the output.
void randomize(torch::nn::Module& module, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  at::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    at::Tensor& p = item.value();
    const std::string& name = item.key();
    const bool norm_weight =
        name.find("norm") != std::string::npos && p.dim() == 1 && name.compare(name.size() - 7, 7, ".weight") == 0;
    at::Tensor r = at::randn(p.sizes(), gen, p.options());
    if (norm_weight) {
      p.copy_(1.0 + 0.2 * r);
    } else if (p.dim() == 1) {
      p.copy_(0.1 * r);
    } else {
      p.copy_(r / std::sqrt(static_cast<double>(p[0].numel())));  // 1/√fan_in keeps activations O(1)
    }
  }
}

/// Functional float64 decoder reading parameters by key; records which keys it used.
class ReferenceDecoder {
 public:
  ReferenceDecoder(const torch::nn::Module& module, const AutoencoderKLConfig& c) : c_(c) {
    for (const auto& item : module.named_parameters())
      params_[item.key()] = item.value().detach().to(at::kDouble);
  }

  at::Tensor decode(const at::Tensor& diffusion_latents) {
    at::Tensor z = diffusion_latents.to(at::kDouble) / c_.scaling_factor + c_.shift_factor.value_or(0.0);
    if (c_.use_post_quant_conv) z = conv(z, "post_quant_conv");
    at::Tensor h = conv(z, "decoder.conv_in");
    h = resnet(h, "decoder.mid_block.resnets.0");
    if (c_.mid_block_add_attention) h = attention(h, "decoder.mid_block.attentions.0");
    h = resnet(h, "decoder.mid_block.resnets.1");
    const std::size_t blocks = c_.block_out_channels.size();
    for (std::size_t i = 0; i < blocks; ++i) {
      const std::string block = "decoder.up_blocks." + std::to_string(i);
      for (std::int64_t m = 0; m <= c_.layers_per_block; ++m)
        h = resnet(h, block + ".resnets." + std::to_string(m));
      if (i + 1 < blocks) h = conv(h.repeat_interleave(2, 2).repeat_interleave(2, 3), block + ".upsamplers.0.conv");
    }
    h = silu(group_norm(h, "decoder.conv_norm_out"));
    return conv(h, "decoder.conv_out");
  }

  const std::set<std::string>& used() const { return used_; }

 private:
  at::Tensor p(const std::string& key) {
    const auto it = params_.find(key);
    if (it == params_.end()) {
      ADD_FAILURE() << "no parameter named " << key;
      return at::zeros({1}, at::kDouble);
    }
    used_.insert(key);
    return it->second;
  }
  bool has(const std::string& key) const { return params_.count(key) != 0; }

  static at::Tensor silu(const at::Tensor& x) { return x / (1.0 + at::exp(-x)); }

  at::Tensor group_norm(const at::Tensor& x, const std::string& prefix) {
    const std::int64_t b = x.size(0), ch = x.size(1), groups = c_.norm_num_groups;
    const at::Tensor g = x.reshape({b, groups, -1});
    const at::Tensor mean = g.mean(-1, true);
    const at::Tensor var = (g - mean).pow(2).mean(-1, true);
    const at::Tensor normed = ((g - mean) / at::sqrt(var + 1e-6)).reshape(x.sizes());
    return normed * p(prefix + ".weight").view({1, ch, 1, 1}) + p(prefix + ".bias").view({1, ch, 1, 1});
  }

  at::Tensor conv(const at::Tensor& x, const std::string& prefix) {
    const at::Tensor w = p(prefix + ".weight");
    return at::conv2d(x, w, p(prefix + ".bias"), 1, w.size(2) / 2);
  }

  at::Tensor resnet(const at::Tensor& x, const std::string& prefix) {
    at::Tensor h = conv(silu(group_norm(x, prefix + ".norm1")), prefix + ".conv1");
    h = conv(silu(group_norm(h, prefix + ".norm2")), prefix + ".conv2");
    const at::Tensor shortcut = has(prefix + ".conv_shortcut.weight") ? conv(x, prefix + ".conv_shortcut") : x;
    return shortcut + h;
  }

  at::Tensor linear(const at::Tensor& x, const std::string& prefix) {
    return at::matmul(x, p(prefix + ".weight").t()) + p(prefix + ".bias");
  }

  at::Tensor attention(const at::Tensor& x, const std::string& prefix) {
    const std::int64_t b = x.size(0), ch = x.size(1), hh = x.size(2), ww = x.size(3);
    const at::Tensor t = group_norm(x, prefix + ".group_norm").reshape({b, ch, hh * ww}).transpose(1, 2);
    const at::Tensor q = linear(t, prefix + ".to_q"), k = linear(t, prefix + ".to_k"), v = linear(t, prefix + ".to_v");
    const at::Tensor scores = at::matmul(q, k.transpose(1, 2)) / std::sqrt(static_cast<double>(ch));
    const at::Tensor e = at::exp(scores - std::get<0>(scores.max(-1, true)));
    const at::Tensor out = linear(at::matmul(e / e.sum(-1, true), v), prefix + ".to_out.0");
    return out.transpose(1, 2).reshape({b, ch, hh, ww}) + x;
  }

  AutoencoderKLConfig c_;
  std::map<std::string, at::Tensor> params_;
  std::set<std::string> used_;
};

std::set<std::string> parameter_names(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& item : module.named_parameters())
    names.insert(item.key());
  return names;
}

at::Tensor seeded_randn(at::IntArrayRef sizes, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return at::randn(sizes, gen, at::TensorOptions().dtype(at::kFloat));
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

TEST(AutoencoderKL, DecodeMatchesTheFloat64ReferenceAndUsesEveryParameterByName) {
  const AutoencoderKLConfig c = tiny_config();
  AutoencoderKL vae(c);
  randomize(*vae, 11);
  vae->to(at::kDouble);
  at::NoGradGuard no_grad;
  // 2×3 latent: a non-square size catches swapped height/width.
  const at::Tensor latents = seeded_randn({2, 16, 2, 3}, 12).to(at::kDouble);
  const at::Tensor out = vae->decode(latents);
  ReferenceDecoder ref(*vae, c);
  const at::Tensor expected = ref.decode(latents);
  ASSERT_EQ(out.sizes(), (std::vector<std::int64_t>{2, 3, 16, 24}));
  EXPECT_EQ(out.scalar_type(), at::kDouble);
  EXPECT_LT(max_abs_diff(out, expected), 1e-10);
  EXPECT_GT(expected.abs().max().item<double>(), 0.1);  // not a degenerate all-zero comparison
  // The reference visited exactly the module's parameters: no extra or unused keys.
  EXPECT_EQ(ref.used(), parameter_names(*vae));
}

TEST(AutoencoderKL, Float32DecodeIsCloseToTheReference) {
  const AutoencoderKLConfig c = tiny_config();
  AutoencoderKL vae(c);
  randomize(*vae, 21);
  at::NoGradGuard no_grad;
  const at::Tensor latents = seeded_randn({1, 16, 3, 2}, 22);
  const at::Tensor out = vae->decode(latents);
  EXPECT_EQ(out.scalar_type(), at::kFloat);
  ReferenceDecoder ref(*vae, c);
  EXPECT_LT(max_abs_diff(out, ref.decode(latents)), 1e-4);
}

TEST(AutoencoderKL, PostQuantConvNoShiftAndNoMidAttention) {
  AutoencoderKLConfig c;
  c.latent_channels = 4;
  c.block_out_channels = {4, 8};
  c.up_block_types.assign(2, "UpDecoderBlock2D");
  c.layers_per_block = 2;
  c.norm_num_groups = 2;
  c.scaling_factor = 0.18215;
  c.shift_factor.reset();
  c.use_post_quant_conv = true;
  c.mid_block_add_attention = false;
  AutoencoderKL vae(c);
  randomize(*vae, 31);
  vae->to(at::kDouble);
  at::NoGradGuard no_grad;
  const std::set<std::string> names = parameter_names(*vae);
  EXPECT_EQ(names.count("post_quant_conv.weight"), 1u);
  for (const std::string& name : names)
    EXPECT_EQ(name.find("attentions"), std::string::npos) << name;
  const at::Tensor latents = seeded_randn({1, 4, 3, 3}, 32).to(at::kDouble);
  ReferenceDecoder ref(*vae, c);
  EXPECT_LT(max_abs_diff(vae->decode(latents), ref.decode(latents)), 1e-10);
  EXPECT_EQ(ref.used(), names);
}

TEST(AutoencoderKL, KeyNamesAndShapesFollowDiffusers) {
  AutoencoderKL vae(tiny_config());
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& item : vae->named_parameters())
    shapes[item.key()] = item.value().sizes().vec();
  using Shape = std::vector<std::int64_t>;
  EXPECT_EQ(shapes["decoder.conv_in.weight"], (Shape{16, 16, 3, 3}));
  EXPECT_EQ(shapes["decoder.mid_block.attentions.0.to_out.0.weight"], (Shape{16, 16}));
  EXPECT_EQ(shapes["decoder.mid_block.attentions.0.group_norm.bias"], (Shape{16}));
  EXPECT_EQ(shapes["decoder.up_blocks.0.upsamplers.0.conv.weight"], (Shape{16, 16, 3, 3}));
  // block_out_channels {8, 8, 16, 16} runs 16 → 16 → 8 → 8: the width changes in up block 2.
  EXPECT_EQ(shapes["decoder.up_blocks.2.resnets.0.conv_shortcut.weight"], (Shape{8, 16, 1, 1}));
  EXPECT_EQ(shapes["decoder.up_blocks.2.resnets.1.norm1.weight"], (Shape{8}));
  EXPECT_EQ(shapes["decoder.conv_norm_out.weight"], (Shape{8}));
  EXPECT_EQ(shapes["decoder.conv_out.weight"], (Shape{3, 8, 3, 3}));
  for (const char* absent :
       {"post_quant_conv.weight", "decoder.up_blocks.3.upsamplers.0.conv.weight",
        "decoder.up_blocks.0.resnets.0.conv_shortcut.weight", "decoder.up_blocks.0.resnets.2.conv1.weight"})
    EXPECT_EQ(shapes.count(absent), 0u) << absent;
  EXPECT_EQ(vae->vae_scale_factor(), 8);
}

TEST(AutoencoderKL, EncoderKeysAreTheOnesALoaderIgnores) {
  EXPECT_TRUE(AutoencoderKLImpl::is_ignored_key("encoder.down_blocks.0.resnets.0.conv1.weight"));
  EXPECT_TRUE(AutoencoderKLImpl::is_ignored_key("quant_conv.bias"));
  EXPECT_FALSE(AutoencoderKLImpl::is_ignored_key("post_quant_conv.bias"));
  EXPECT_FALSE(AutoencoderKLImpl::is_ignored_key("decoder.conv_in.weight"));
  AutoencoderKL vae(tiny_config());
  for (const auto& item : vae->named_parameters())
    EXPECT_FALSE(AutoencoderKLImpl::is_ignored_key(item.key()));
}

TEST(AutoencoderKL, ChunkedMidAttentionEqualsOneChunk) {
  MidBlockAttention attn(8, 2);
  randomize(*attn, 41);
  attn->to(at::kDouble);
  at::NoGradGuard no_grad;
  const at::Tensor x = seeded_randn({2, 8, 3, 5}, 42).to(at::kDouble);
  const at::Tensor whole = attn->forward(x);
  attn->max_scores_per_chunk = 2 * 15 * 4;  // 4 queries per chunk: 15 pixels → 4 uneven chunks
  EXPECT_LT(max_abs_diff(attn->forward(x), whole), 1e-12);
}

TEST(AutoencoderKL, DecodeRejectsTheWrongLatentShape) {
  AutoencoderKL vae(tiny_config());
  const std::string what = spstudio::testing::error_of([&] { vae->decode(at::zeros({1, 4, 2, 2})); });
  EXPECT_CONTAINS(what, "[B, 16, h, w]");
  EXPECT_CONTAINS(what, "[1, 4, 2, 2]");
}

TEST(ToImageU8, MapsMinusOneToOneOntoBytesRoundedAndClamped) {
  // x/2 + 0.5 then ·255: -1 → 0, 1 → 255, 0 → 127.5 → 128, -0.5 → 63.75 → 64, 0.2 → 153, 3 → clamped 255.
  const at::Tensor images = at::tensor({-1.0f, 1.0f, 0.0f, -0.5f, 0.2f, 3.0f}).view({1, 3, 1, 2});
  const at::Tensor bytes = to_image_u8(images);
  ASSERT_EQ(bytes.sizes(), (std::vector<std::int64_t>{1, 1, 2, 3}));
  EXPECT_EQ(bytes.scalar_type(), at::kByte);
  // HWC: pixel 0 = channels (-1, 0, 0.2), pixel 1 = (1, -0.5, 3).
  const std::vector<int> expected{0, 128, 153, 255, 64, 255};
  const at::Tensor flat = bytes.flatten();
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(flat[i].item<int>(), expected[i]) << i;
  EXPECT_EQ(to_image_u8(images[0]).sizes(), (std::vector<std::int64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace spstudio::models
