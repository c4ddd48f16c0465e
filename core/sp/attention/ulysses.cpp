// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/ulysses.h"

#include "sp/attention/ring.h"
#include "sp/comm/sequence_all_to_all.h"
#include "sp/parallel_errors.h"

namespace spstudio::sp {
namespace {

at::Tensor head_slice(const at::Tensor& t, std::int64_t rank, std::int64_t size) {
  const std::int64_t local = t.size(2) / size;
  return t.narrow(2, rank * local, local);
}

}  // namespace

void UlyssesAttention::pre_attention(AttentionCall& call) {
  check_joint(call);
  const std::int64_t u = ulysses_.size(), rank = ulysses_.rank();
  require_heads_divisible(call.q.size(2), u, "Ulysses attention (query heads)");
  require_heads_divisible(call.k.size(2), u, "Ulysses attention (key/value heads)");

  if (call.q.sizes() == call.k.sizes() && call.k.sizes() == call.v.sizes()) {
    // One collective for q, k and v: [B, S/U, 3, H, D] → [B, S, 3, H/U, D].
    const auto qkv = all_to_all_scatter_heads(ulysses_, at::stack({call.q, call.k, call.v}, 2), 3).unbind(2);
    call.q = qkv[0];
    call.k = qkv[1];
    call.v = qkv[2];
  } else {
    call.q = all_to_all_scatter_heads(ulysses_, call.q, 2);
    call.k = all_to_all_scatter_heads(ulysses_, call.k, 2);
    call.v = all_to_all_scatter_heads(ulysses_, call.v, 2);
  }
  const std::int64_t image_len = call.q.size(1);  // the whole Ulysses-group sequence, padding included
  if (ring_) refuse_padding_under_ring(call, image_len * ring_->size());

  AttentionMetadata& m = call.meta;
  const JointStrategy s = m.joint_strategy;
  if (m.has_joint()) {
    m.joint_query = head_slice(m.joint_query, rank, u);
    m.joint_key = head_slice(m.joint_key, rank, u);
    m.joint_value = head_slice(m.joint_value, rank, u);
    call.joint_len = m.joint_query.size(1);
    call.q = concat_joint(call.q, m.joint_query, s);
    if (!ring_) {  // hybrid: the ring kernel adds the joint K/V itself, once
      call.k = concat_joint(call.k, m.joint_key, s);
      call.v = concat_joint(call.v, m.joint_value, s);
    }
  }
  if (!ring_ && call.valid_image_tokens && *call.valid_image_tokens < image_len) {
    // auto_pad: the padding rows sit at the end of the gathered image sequence; mask those keys.
    const at::Tensor image_valid =
        at::arange(image_len, call.k.options().dtype(at::kLong)).lt(*call.valid_image_tokens);
    const at::Tensor joint_valid = at::ones({call.joint_len}, image_valid.options());
    call.key_mask =
        (s == JointStrategy::Front ? at::cat({joint_valid, image_valid}) : at::cat({image_valid, joint_valid}))
            .unsqueeze(0);  // [1, Sk]
  }
}

at::Tensor UlyssesAttention::run_attention(AttentionKernel& kernel, AttentionCall& call) {
  if (!ring_) return ParallelAttentionStrategy::run_attention(kernel, call);
  return ring_attention(kernel, *ring_, call.q, call.k, call.v, call.meta.joint_key, call.meta.joint_value,
                        call.meta.joint_strategy, call.scale);
}

at::Tensor UlyssesAttention::post_attention(at::Tensor out, AttentionCall& call) {
  const JointStrategy s = call.meta.joint_strategy;
  auto [joint_out, image_out] = split_joint(out, call.joint_len, s);
  at::Tensor image = all_to_all_gather_heads(ulysses_, image_out, 2);  // [B, S/U, H, D]
  if (call.joint_len == 0) return image;
  // Every rank computed the joint rows for its heads: gather the heads back.
  at::Tensor joint = ulysses_.size() == 1 ? joint_out : at::cat(ulysses_.all_gather(joint_out), 2);
  return concat_joint(image, joint, s);
}

}  // namespace spstudio::sp
