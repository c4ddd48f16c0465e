// SPDX-License-Identifier: Apache-2.0
// The Flux transformer's model-FLOP count (models/flux/flops.h): a tiny config counted by hand, the
// same count taken from a live model by hooks on every Linear and attention call, and FLUX.1-dev at
// 1024² against a hand estimate.
#include <gtest/gtest.h>

#include "models/flux/flops.h"
#include "models/flux/transformer.h"
#include "models/layers/seeded_init.h"

namespace spstudio::models::flux {
namespace {

/// inner = 2 heads × 8 = 16, one block of each kind, 16 latent channels, T5 width 24, CLIP width 20.
FluxTransformerConfig small_config() {
  FluxTransformerConfig c;
  c.in_channels = c.out_channels = 16;
  c.num_layers = 1;
  c.num_single_layers = 1;
  c.num_attention_heads = 2;
  c.attention_head_dim = 8;
  c.axes_dims_rope = {2, 2, 4};
  c.joint_attention_dim = 24;
  c.pooled_projection_dim = 20;
  c.guidance_embeds = true;
  return c;
}

TEST(FluxFlops, SmallConfigCountedByHand) {
  // d = 16, 6 image tokens, 4 text tokens: S = 10 joint tokens. Multiply-adds (MACs):
  //  x_embedder        6 ·16·16                                   =  1536
  //  context_embedder  4 ·24·16                                   =  1536
  //  double block      10·(3·16·16 + 16·16 + 16·64 + 64·16)       = 10·3072 = 30720
  //  single block      10·(3·16·16 + 16·64 + (16+64)·16)          = 10·3072 = 30720
  //  proj_out          6 ·16·16                                   =  1536
  //                                                        linear  = 66048 MACs = 132096 FLOPs
  //  attention         2 blocks · (QKᵀ 10·10·16 + PV 10·10·16)    =  6400 MACs =  12800 FLOPs
  //  per sample: timestep 256·16+16·16 = 4352, guidance 4352, text 20·16+16·16 = 576,
  //              norm1 + norm1_context 2·16·96 = 3072, single norm twice 2·16·48 = 1536,
  //              norm_out 16·32 = 512                             = 14400 MACs =  28800 FLOPs
  const FluxFlops f = flux_transformer_flop_breakdown(small_config(), 6, 4);
  EXPECT_DOUBLE_EQ(f.linear, 132096);
  EXPECT_DOUBLE_EQ(f.attention, 12800);
  EXPECT_DOUBLE_EQ(f.per_sample, 28800);
  EXPECT_DOUBLE_EQ(flux_transformer_flops(small_config(), 6, 4), 132096 + 12800 + 28800);

  // Without guidance the guidance embedder's 4352 MACs go; no text tokens leave the image alone.
  FluxTransformerConfig no_guidance = small_config();
  no_guidance.guidance_embeds = false;
  EXPECT_DOUBLE_EQ(flux_transformer_flop_breakdown(no_guidance, 6, 4).per_sample, 28800 - 2 * 4352);
  const FluxFlops image_only = flux_transformer_flop_breakdown(small_config(), 6, 0);
  EXPECT_DOUBLE_EQ(image_only.linear, 2 * (1536 + 6 * 3072 * 2 + 1536));
  EXPECT_DOUBLE_EQ(image_only.attention, 2 * 2 * (2 * 6 * 6 * 16));
  EXPECT_THROW(flux_transformer_flops(small_config(), -1, 4), std::invalid_argument);
}

/// Adds up the multiply-adds of every Linear call (rows · in · out, from the live input and
/// weight shapes) and of every FluxAttention call (QKᵀ and PV over its actual text + image rows).
struct MacCounter : sp::ModelHook {
  double linear = 0, attention = 0;
  void pre_forward(sp::HookableModule& module, sp::Args& args) override {
    if (auto* linear_layer = dynamic_cast<LinearImpl*>(&module)) {
      const at::Tensor x = args.positional.at(0).toTensor();
      linear += static_cast<double>(x.numel() / x.size(-1)) * static_cast<double>(linear_layer->weight.size(1)) *
                static_cast<double>(linear_layer->weight.size(0));
    } else if (dynamic_cast<FluxAttentionImpl*>(&module) != nullptr) {
      const at::Tensor image = args.positional.at(0).toTensor(), text = args.positional.at(1).toTensor();
      const double rows = static_cast<double>(image.size(1) + text.size(1));
      const double width = static_cast<double>(image.size(2));  // heads · head_dim
      attention += 2 * rows * rows * width;
    }
  }
};

TEST(FluxFlops, MatchesWhatALiveModelMultiplies) {
  // A different shape from the hand count, so a formula that only fits one config fails here.
  FluxTransformerConfig c = small_config();
  c.num_layers = 2;
  c.num_single_layers = 3;
  c.num_attention_heads = 3;
  c.in_channels = 12;
  c.out_channels = 8;
  FluxTransformer2DModel model(c);
  init_seeded_weights(*model, 5);
  auto counter = std::make_shared<MacCounter>();
  for (const auto& m : model->modules(/*include_self=*/false))
    if (auto* h = dynamic_cast<sp::HookableModule*>(m.get())) h->hooks().register_hook("count", counter);
  at::NoGradGuard no_grad;
  const std::int64_t grid_h = 3, grid_w = 5, text = 7;
  model->forward(make_flux_inputs(c, grid_h, grid_w, text, 1));

  const FluxFlops f = flux_transformer_flop_breakdown(c, grid_h * grid_w, text);
  EXPECT_DOUBLE_EQ(f.linear + f.per_sample, 2 * counter->linear);
  EXPECT_DOUBLE_EQ(f.attention, 2 * counter->attention);
  EXPECT_GT(counter->attention, 0);
}

TEST(FluxFlops, Flux1DevAt1024IsAbout75Teraflops) {
  // 1024² → 128² latents → 64² packed tokens = 4096 image + 512 text tokens, S = 4608, d = 3072.
  // Hand estimate: every token passes 12·d² MACs of weights per block (one stream's q,k,v,out = 4d²
  // and MLP 8d²), 57 blocks: 2·57·12·3072²·4608 ≈ 5.95e13; attention 57·4·4608²·3072 ≈ 1.49e13;
  // embedders and proj_out ≈ 1.6e10. Total ≈ 7.44e13 FLOPs. (The rule of thumb 2·params·tokens,
  // 2·11.9e9·4608 ≈ 1.1e14, overcounts: a double-stream token touches only its own stream's half
  // of the block weights.)
  const FluxFlops f = flux_transformer_flop_breakdown(FluxTransformerConfig::flux1(/*guidance=*/true), 4096, 512);
  EXPECT_NEAR(f.linear, 5.95e13, 0.01e13);
  EXPECT_NEAR(f.attention, 1.49e13, 0.01e13);
  EXPECT_NEAR(f.total(), 7.44e13, 0.02e13);
  EXPECT_LT(f.per_sample, 2e-4 * f.total());
}

}  // namespace
}  // namespace spstudio::models::flux
