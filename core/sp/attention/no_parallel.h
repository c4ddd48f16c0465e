// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "sp/attention/strategy.h"

namespace spstudio::sp {

/// Local attention over [joint | image]: no SP, an inactive region, or cross-attention to
/// replicated text (local queries against the full replicated K/V is exact).
class NoParallelAttention final : public ParallelAttentionStrategy {
 public:
  const char* name() const override { return "none"; }
  void pre_attention(AttentionCall& call) override;
  at::Tensor post_attention(at::Tensor out, AttentionCall& call) override;
};

}  // namespace spstudio::sp
