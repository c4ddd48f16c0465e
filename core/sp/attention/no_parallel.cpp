// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/no_parallel.h"

namespace spstudio::sp {

void NoParallelAttention::pre_attention(AttentionCall& call) {
  check_joint(call);
  if (!call.meta.has_joint()) return;
  const JointStrategy s = call.meta.joint_strategy;
  call.joint_len = call.meta.joint_query.size(1);
  call.q = concat_joint(call.q, call.meta.joint_query, s);
  call.k = concat_joint(call.k, call.meta.joint_key, s);
  call.v = concat_joint(call.v, call.meta.joint_value, s);
}

at::Tensor NoParallelAttention::post_attention(at::Tensor out, AttentionCall&) {
  return out;
}

}  // namespace spstudio::sp
