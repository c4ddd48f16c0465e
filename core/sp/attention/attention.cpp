// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/attention.h"

#include <cmath>

#include "common/profiling/range_names.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::sp {

AttentionImpl::AttentionImpl(AttentionOptions options, std::shared_ptr<AttentionKernel> kernel)
    : torch::nn::Module("Attention"),
      options_(std::move(options)),
      kernel_(kernel ? std::move(kernel) : default_attention_kernel()) {
  if (options_.kv_heads == 0) options_.kv_heads = options_.heads;
  if (options_.scale == 0.0) options_.scale = 1.0 / std::sqrt(static_cast<double>(options_.head_dim));
}

at::Tensor AttentionImpl::forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                  const AttentionMetadata& meta) {
  const ScopedRange range(range_names::kAttention);
  const std::unique_ptr<ParallelAttentionStrategy> strategy =
      make_attention_strategy(context_.get(), options_.skip_sequence_parallel);
  last_strategy_ = strategy->name();
  AttentionCall call;
  call.q = q;
  call.k = k;
  call.v = v;
  call.meta = meta;
  call.scale = options_.scale;
  if (context_ && context_->sp_active()) {
    if (const auto pad = context_->padding(options_.shard_group); pad && pad->padded > pad->original)
      call.valid_image_tokens = pad->original;
  }
  strategy->pre_attention(call);
  at::Tensor out = strategy->run_attention(*kernel_, call);
  return strategy->post_attention(std::move(out), call);
}

void AttentionImpl::describe(ModuleNode& node) const {
  node.attention = AttentionInfo{options_.heads, options_.kv_heads, options_.skip_sequence_parallel};
}

}  // namespace spstudio::sp
