// SPDX-License-Identifier: Apache-2.0
// The Attention layer: a kernel backend plus a parallel strategy chosen per call by the factory
// from the SP context. Models call it with this rank's q/k/v [B, S, H, D] and optional joint
// (text) tensors; it returns [B, T + S, H, D] with the joint rows in front (or at the rear).
// It has no parameters (no state-dict keys); it shows in manifests with its head counts.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <string>

#include "sp/attention/kernel.h"
#include "sp/attention/strategy.h"
#include "sp/sp_context.h"

namespace spstudio::sp {

struct AttentionOptions {
  int heads = 1;
  int kv_heads = 0;  ///< 0 = heads
  int head_dim = 64;
  double scale = 0.0;  ///< 0 = 1/sqrt(head_dim)
  /// Cross-attention to replicated text: always local, no head constraint.
  bool skip_sequence_parallel = false;
  /// The auto_pad group whose padding this layer's image sequence carries ("" = default).
  std::string shard_group;
};

class AttentionImpl : public torch::nn::Module, public SpParticipant {
 public:
  explicit AttentionImpl(AttentionOptions options, std::shared_ptr<AttentionKernel> kernel = nullptr);

  at::Tensor forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionMetadata& meta = {});

  void set_sp_context(SpContextPtr context) override { context_ = std::move(context); }
  void describe(ModuleNode& node) const override;

  const AttentionOptions& options() const { return options_; }
  /// The strategy the last call used ("none", "ulysses", "ring", "usp").
  const char* last_strategy() const { return last_strategy_; }

 private:
  AttentionOptions options_;
  std::shared_ptr<AttentionKernel> kernel_;
  SpContextPtr context_;
  const char* last_strategy_ = "none";
};
TORCH_MODULE(Attention);

}  // namespace spstudio::sp
