// SPDX-License-Identifier: Apache-2.0
#include "sp/attention/ring_merge.h"

#include <limits>

namespace spstudio::sp {

void ring_merge(MergeState& state, const at::Tensor& block_out, const at::Tensor& block_lse) {
  const at::Tensor o_b = block_out.to(at::kFloat);
  const at::Tensor l_b = block_lse.to(at::kFloat).unsqueeze(-1);
  if (!state.out.defined()) {
    state.out = o_b.clone();
    state.lse = l_b.clone();
    return;
  }
  // σ(l_b − lse) is the new block's share of the combined softmax mass. The difference is NaN
  // only when both are the same infinity: −inf/−inf (neither block saw a key: keep) or
  // +inf/+inf (share equally).
  const at::Tensor diff = l_b - state.lse;
  const double inf = std::numeric_limits<double>::infinity();
  const at::Tensor both_pos_inf = state.lse.eq(inf).logical_and(l_b.eq(inf));
  const at::Tensor weight =
      at::where(diff.isnan(), at::where(both_pos_inf, at::full({}, 0.5, diff.options()), at::zeros({}, diff.options())),
                at::sigmoid(diff));
  state.out.sub_(weight * (state.out - o_b));
  state.lse = at::logaddexp(state.lse, l_b);
}

}  // namespace spstudio::sp
