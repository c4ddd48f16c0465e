// SPDX-License-Identifier: Apache-2.0
// Model FLOPs of one FluxTransformer2DModel forward at batch 1: what MFU is measured against.
// Counted from what our modules compute (blocks.cpp, attention.cpp, embeddings.cpp, layers.cpp):
// 2 FLOPs per multiply-add of every matrix product. Element-wise work (norms, RoPE, GELU, softmax,
// residual adds, biases) is left out, as MFU conventions do: it is a few per cent of the time and
// none of the tensor-core work.
#pragma once

#include <cstdint>

#include "models/flux/config.h"

namespace spstudio::models::flux {

struct FluxFlops {
  /// Token-wise Linear layers: x_embedder (image tokens), context_embedder (text tokens), in every
  /// block the q/k/v and output projections and the MLP of each token's stream, proj_out (image).
  double linear = 0;
  /// QKᵀ and PV over the joint [text | image] sequence of S tokens: 2·S²·inner MACs per block.
  double attention = 0;
  /// Work done once per sample, whatever the resolution: the timestep/guidance/pooled-text
  /// embedders and the AdaLN modulation linears (the single-stream norm runs once per stream).
  /// Under 0.02 % of the total at 1024².
  double per_sample = 0;

  double total() const { return linear + attention + per_sample; }
};

/// The breakdown of one forward over `image_tokens` packed latent tokens and `text_tokens` T5
/// tokens (batch 1). Throws std::invalid_argument for negative token counts.
FluxFlops flux_transformer_flop_breakdown(const FluxTransformerConfig& c, std::int64_t image_tokens,
                                          std::int64_t text_tokens);

/// flux_transformer_flop_breakdown(...).total().
double flux_transformer_flops(const FluxTransformerConfig& c, std::int64_t image_tokens, std::int64_t text_tokens);

}  // namespace spstudio::models::flux
