// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/strategy.h"

#include "sp/attention/no_parallel.h"
#include "sp/attention/ring.h"
#include "sp/attention/ulysses.h"
#include "sp/errors.h"
#include "sp/sp_context.h"

namespace spstudio::sp {

at::Tensor ParallelAttentionStrategy::run_attention(AttentionKernel& kernel, AttentionCall& call) {
  KernelOptions options;
  options.scale = call.scale;
  options.key_mask = call.key_mask;
  return kernel.forward(call.q, call.k, call.v, options).out;
}

std::unique_ptr<ParallelAttentionStrategy> make_attention_strategy(const SpContext* context,
                                                                   bool skip_sequence_parallel) {
  if (!context || skip_sequence_parallel || !context->sp_active()) return std::make_unique<NoParallelAttention>();
  const ParallelConfig& c = context->config();
  if (c.ulysses_degree > 1)
    return std::make_unique<UlyssesAttention>(context->ulysses_group(),
                                              c.ring_degree > 1 ? &context->ring_group() : nullptr);
  if (c.ring_degree > 1) return std::make_unique<RingAttention>(context->ring_group());
  return std::make_unique<NoParallelAttention>();
}

at::Tensor concat_joint(const at::Tensor& main, const at::Tensor& joint, JointStrategy s) {
  if (!joint.defined()) return main;
  return s == JointStrategy::Front ? at::cat({joint, main}, 1) : at::cat({main, joint}, 1);
}

std::pair<at::Tensor, at::Tensor> split_joint(const at::Tensor& x, std::int64_t joint_len, JointStrategy s) {
  const std::int64_t main_len = x.size(1) - joint_len;
  if (s == JointStrategy::Front) return {x.narrow(1, 0, joint_len), x.narrow(1, joint_len, main_len)};
  return {x.narrow(1, main_len, joint_len), x.narrow(1, 0, main_len)};
}

void check_joint(const AttentionCall& call) {
  const AttentionMetadata& m = call.meta;
  const int set = int(m.joint_query.defined()) + int(m.joint_key.defined()) + int(m.joint_value.defined());
  if (set != 0 && set != 3)
    throw SequenceParallelError("attention: joint_query, joint_key and joint_value must be given together");
  if (set == 0) return;
  for (const at::Tensor* t : {&m.joint_query, &m.joint_key, &m.joint_value})
    if (t->dim() != 4 || t->size(0) != call.q.size(0) || t->size(3) != call.q.size(3))
      throw SequenceParallelError("attention: joint tensors must be [B, T, H, D] like q " + c10::str(call.q.sizes()) +
                                  ", got " + c10::str(t->sizes()));
  if (m.joint_query.size(2) != call.q.size(2) || m.joint_key.size(2) != call.k.size(2) ||
      m.joint_value.size(2) != call.v.size(2))
    throw SequenceParallelError("attention: joint q/k/v must have the head counts of q/k/v");
}

}  // namespace spstudio::sp
