// SPDX-License-Identifier: Apache-2.0
// FluxTransformer2DModel with diffusers' state-dict names, so a FLUX.1 transformer/ folder loads
// without renaming:
//   x_embedder, context_embedder, time_text_embed.{timestep,guidance,text}_embedder, pos_embed (no
//   weights), transformer_blocks.N, single_transformer_blocks.N, norm_out, proj_out.
//
//   forward(hidden_states [B, S, in] (packed latents), encoder_hidden_states [B, T, joint_dim],
//           pooled_projections [B, pooled_dim], timestep [B] in [0, 1], img_ids [S, 3],
//           txt_ids [T, 3], guidance [B] or None) → [B, S, out]
//
// plans/flux.json (SP_SEMANTICS.md §7) splits hidden_states at the root (auto_pad), shards the
// image RoPE outputs of pos_embed, keeps the text replicated as joint tokens, and gathers after
// proj_out.
#pragma once

#include <torch/nn/modules/container/modulelist.h>

#include "common/plan.h"
#include "models/flux/blocks.h"
#include "models/flux/embeddings.h"

namespace spstudio::models::flux {

struct FluxTransformerInputs {
  at::Tensor hidden_states, encoder_hidden_states, pooled_projections, timestep, img_ids, txt_ids;
  at::Tensor guidance;  ///< undefined when the model has no guidance embedding
  sp::Args args() const;
};

class FluxTransformer2DModelImpl : public sp::HookableModule {
 public:
  explicit FluxTransformer2DModelImpl(FluxTransformerConfig config);
  /// One forward, hooks included, inside a `transformer` profiling range.
  at::Tensor forward(const FluxTransformerInputs& inputs);

  const FluxTransformerConfig& config() const { return config_; }

  Linear x_embedder{nullptr}, context_embedder{nullptr};
  CombinedTimestepTextProjEmbeddings time_text_embed{nullptr};
  FluxPosEmbed pos_embed{nullptr};
  torch::nn::ModuleList transformer_blocks{nullptr}, single_transformer_blocks{nullptr};
  AdaLayerNormContinuous norm_out{nullptr};
  Linear proj_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  FluxTransformerConfig config_;
};
TORCH_MODULE(FluxTransformer2DModel);

/// Seeded inputs for a grid_h × grid_w token image and `text_tokens` text tokens (tests, benchmarks).
FluxTransformerInputs make_flux_inputs(const FluxTransformerConfig& c, std::int64_t grid_h, std::int64_t grid_w,
                                       std::int64_t text_tokens, std::uint64_t seed);

/// plans/flux.json.
SequenceParallelPlan flux_plan();

}  // namespace spstudio::models::flux
