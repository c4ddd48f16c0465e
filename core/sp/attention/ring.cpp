// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/ring.h"

#include "common/profiling/range_names.h"
#include "sp/attention/ring_merge.h"
#include "sp/errors.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::sp {

at::Tensor ring_attention(AttentionKernel& kernel, Communicator& ring, const at::Tensor& q, const at::Tensor& k,
                          const at::Tensor& v, const at::Tensor& joint_key, const at::Tensor& joint_value,
                          JointStrategy joint_strategy, double scale) {
  const int size = ring.size(), rank = ring.rank();
  const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  KernelOptions options;
  options.scale = scale;
  options.return_lse = true;

  at::Tensor k_cur = k.contiguous(), v_cur = v.contiguous();
  MergeState merged;
  for (int step = 0; step < size; ++step) {
    const ScopedRange hop(range_names::kRingHop);
    std::unique_ptr<PendingTransfers> transfer;
    at::Tensor k_next, v_next;
    if (step + 1 < size) {
      k_next = at::empty_like(k_cur);
      v_next = at::empty_like(v_cur);
      transfer = ring.batch_isend_irecv({P2POp::send(k_cur, next, 0), P2POp::send(v_cur, next, 1),
                                         P2POp::recv(k_next, prev, 0), P2POp::recv(v_next, prev, 1)});
    }
    at::Tensor k_block = k_cur, v_block = v_cur;
    if (step == 0 && joint_key.defined()) {  // the text keys, exactly once
      k_block = concat_joint(k_cur, joint_key, joint_strategy);
      v_block = concat_joint(v_cur, joint_value, joint_strategy);
    }
    const KernelResult block = kernel.forward(q, k_block, v_block, options);
    ring_merge(merged, block.out, block.lse);
    if (transfer) {
      {
        const ScopedRange p2p(range_names::kRingP2P);  // only the wait: the transfer overlapped the kernel
        transfer->wait();
      }
      k_cur = std::move(k_next);
      v_cur = std::move(v_next);
    }
  }
  return merged.out.to(q.scalar_type());
}

void refuse_padding_under_ring(const AttentionCall& call, std::int64_t global_image_tokens) {
  if (call.valid_image_tokens && *call.valid_image_tokens < global_image_tokens)
    throw SequenceParallelError("ring attention cannot mask padding: " + std::to_string(global_image_tokens) +
                                " image tokens of which only " + std::to_string(*call.valid_image_tokens) +
                                " are real; use ring_degree 1 or a size that divides");
}

void RingAttention::pre_attention(AttentionCall& call) {
  check_joint(call);
  refuse_padding_under_ring(call, call.q.size(1) * ring_.size());
  if (!call.meta.has_joint()) return;
  call.joint_len = call.meta.joint_query.size(1);
  call.q = concat_joint(call.q, call.meta.joint_query, call.meta.joint_strategy);
}

at::Tensor RingAttention::run_attention(AttentionKernel& kernel, AttentionCall& call) {
  return ring_attention(kernel, ring_, call.q, call.k, call.v, call.meta.joint_key, call.meta.joint_value,
                        call.meta.joint_strategy, call.scale);
}

at::Tensor RingAttention::post_attention(at::Tensor out, AttentionCall&) {
  return out;
}

}  // namespace spstudio::sp
