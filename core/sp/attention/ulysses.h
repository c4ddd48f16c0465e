// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "sp/attention/strategy.h"

namespace spstudio::sp {

/// Ulysses (SP_SEMANTICS.md §5): an all-to-all turns [B, S/U, H, D] into [B, S, H/U, D], the
/// kernel runs on this rank's heads over the whole group sequence, and the reverse all-to-all
/// brings the rows back. Joint tokens are head-sliced locally, never sent through the
/// all-to-all; their output rows are all-gathered over the group along heads. q/k/v of equal
/// shape travel stacked in one all-to-all. With a ring group (R > 1) the kernel is ring
/// attention over that group: the hybrid USP.
class UlyssesAttention final : public ParallelAttentionStrategy {
 public:
  UlyssesAttention(Communicator& ulysses, Communicator* ring) : ulysses_(ulysses), ring_(ring) {}
  const char* name() const override { return ring_ ? "usp" : "ulysses"; }
  void pre_attention(AttentionCall& call) override;
  at::Tensor run_attention(AttentionKernel& kernel, AttentionCall& call) override;
  at::Tensor post_attention(at::Tensor out, AttentionCall& call) override;

 private:
  Communicator& ulysses_;
  Communicator* ring_;
};

}  // namespace spstudio::sp
