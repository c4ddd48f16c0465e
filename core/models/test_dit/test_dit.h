// SPDX-License-Identifier: Apache-2.0
// The test DiT's root module, its seeded weights and inputs, and its shipped plans.
//
//   TestDiT(hidden_states [B, S, in], encoder_hidden_states [B, T, text], timestep [B],
//           img_ids [S, 2], txt_ids [T, 2]) → [B, S, in]
//   x_embedder, context_embedder, time_embed, rope_prepare, transformer_blocks.*,
//   single_transformer_blocks.*, norm_out, proj_out
//
// plans/test_dit.json splits hidden_states at the root (auto_pad), shards the image RoPE outputs
// of rope_prepare, and gathers after proj_out; plans/test_dit_joint_rope.json partial-splits the
// [text | image] table instead (text_len from txt_ids).
#pragma once

#include <torch/nn/modules/container/modulelist.h>

#include "common/plan.h"
#include "models/test_dit/blocks.h"

namespace spstudio::models {

struct TestDiTInputs {
  at::Tensor hidden_states, encoder_hidden_states, timestep, img_ids, txt_ids;
  sp::Args args() const;
  TestDiTInputs to(at::ScalarType dtype) const;  ///< every input in `dtype` (positions stay exact)
};

/// A grid_h × grid_w token image and `text_tokens` text tokens, from `seed`.
TestDiTInputs make_test_dit_inputs(const TestDiTConfig& config, std::int64_t grid_h, std::int64_t grid_w,
                                   std::int64_t text_tokens, std::uint64_t seed);

class TestDiTImpl : public sp::HookableModule {
 public:
  explicit TestDiTImpl(TestDiTConfig config);
  at::Tensor forward(const TestDiTInputs& inputs) { return call(inputs.args()).toTensor(); }

  /// Deterministic weights from `seed` (same on every rank and every run).
  void init_weights(std::uint64_t seed);
  const TestDiTConfig& config() const { return config_; }

  Linear x_embedder{nullptr}, context_embedder{nullptr};
  TimestepEmbedding time_embed{nullptr};
  RopePrepare rope_prepare{nullptr};
  torch::nn::ModuleList transformer_blocks{nullptr}, single_transformer_blocks{nullptr};
  AdaLayerNorm norm_out{nullptr};
  Linear proj_out{nullptr};

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override;

 private:
  TestDiTConfig config_;
};
TORCH_MODULE(TestDiT);

/// The shipped plan matching the config's RoPE layout.
SequenceParallelPlan test_dit_plan(const TestDiTConfig& config);

}  // namespace spstudio::models
