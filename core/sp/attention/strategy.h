// SPDX-License-Identifier: Apache-2.0
// Parallel attention strategies: how q/k/v and outputs move between ranks around a kernel
// (SP_SEMANTICS.md §5), orthogonal to the kernel backend. A new strategy is a new class plus a
// line in make_attention_strategy, never an edit of the Attention layer.
//
// Contract of every strategy: given this rank's image q/k/v [B, S_local, H, D] and replicated
// joint (text) q/k/v [B, T, H, D], the result is this rank's rows of attention over
// [joint | all image tokens] (or [image | joint] for Rear): [B, T + S_local, H, D], joint rows in
// their place. Joint tokens never travel through the sequence all-to-all.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <optional>

#include "sp/attention/kernel.h"
#include "sp/comm/communicator.h"

namespace spstudio::sp {

class SpContext;

enum class JointStrategy { Front, Rear };

struct AttentionMetadata {
  /// Replicated joint (text) tokens, [B, T, H, D] (k/v may have fewer heads); all or none.
  at::Tensor joint_query, joint_key, joint_value;
  JointStrategy joint_strategy = JointStrategy::Front;

  bool has_joint() const { return joint_query.defined(); }
};

/// One attention call as it passes through a strategy.
struct AttentionCall {
  at::Tensor q, k, v;
  AttentionMetadata meta;
  double scale = 1.0;
  /// Global image tokens before auto_pad padding, when this call's sequence was padded: keys at
  /// or past it (in post-all-to-all coordinates) are masked.
  std::optional<std::int64_t> valid_image_tokens;

  // Set by pre_attention for the kernel and post_attention.
  at::Tensor key_mask;         ///< [1, Sk] bool or undefined
  std::int64_t joint_len = 0;  ///< joint rows in the kernel's query/output
};

class ParallelAttentionStrategy {
 public:
  virtual ~ParallelAttentionStrategy() = default;
  virtual const char* name() const = 0;
  virtual void pre_attention(AttentionCall& call) = 0;
  /// Default: the kernel on this rank's prepared q/k/v.
  virtual at::Tensor run_attention(AttentionKernel& kernel, AttentionCall& call);
  virtual at::Tensor post_attention(at::Tensor out, AttentionCall& call) = 0;
};

/// NoParallel when there is no context, SP is inactive or the layer skips SP (cross-attention
/// to replicated text); Ulysses when U > 1 (with ring as its kernel when R > 1: USP); Ring when
/// only R > 1.
std::unique_ptr<ParallelAttentionStrategy> make_attention_strategy(const SpContext* context,
                                                                   bool skip_sequence_parallel);

// Helpers the strategies share.
/// cat(joint, main) for Front, cat(main, joint) for Rear, along the sequence (dim 1).
at::Tensor concat_joint(const at::Tensor& main, const at::Tensor& joint, JointStrategy s);
/// Splits [joint | main] (or [main | joint]) rows back apart: {joint, main}.
std::pair<at::Tensor, at::Tensor> split_joint(const at::Tensor& x, std::int64_t joint_len, JointStrategy s);
/// Throws unless joint q/k/v are all set or all unset, with matching batch and head_dim.
void check_joint(const AttentionCall& call);

}  // namespace spstudio::sp
