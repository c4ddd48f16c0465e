// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "sp/attention/strategy.h"

namespace spstudio::sp {

/// The ring kernel loop (SP_SEMANTICS.md §5): this rank's K/V block circulates around `ring`. At
/// step s a batched send of the current K/V to rank r+1 and a receive from r−1 are posted, the
/// block against the current K/V (from rank r−s) is computed while they travel, then the buffers
/// swap. Blocks merge in float32 by their log-sum-exp. Joint K/V enter the softmax exactly once,
/// at step 0 (adding them at every step would weight the text R times). No masks under ring.
at::Tensor ring_attention(AttentionKernel& kernel, Communicator& ring, const at::Tensor& q, const at::Tensor& k,
                          const at::Tensor& v, const at::Tensor& joint_key, const at::Tensor& joint_value,
                          JointStrategy joint_strategy, double scale);

/// Pure ring: the joint query joins the local query; the joint K/V go to the ring kernel.
class RingAttention final : public ParallelAttentionStrategy {
 public:
  explicit RingAttention(Communicator& ring) : ring_(ring) {}
  const char* name() const override { return "ring"; }
  void pre_attention(AttentionCall& call) override;
  at::Tensor run_attention(AttentionKernel& kernel, AttentionCall& call) override;
  at::Tensor post_attention(at::Tensor out, AttentionCall& call) override;

 private:
  Communicator& ring_;
};

/// Fails when a padded sequence would reach ring attention (it cannot mask the padding).
void refuse_padding_under_ring(const AttentionCall& call, std::int64_t global_image_tokens);

}  // namespace spstudio::sp
