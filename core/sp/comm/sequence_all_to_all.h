// SPDX-License-Identifier: Apache-2.0
// The Ulysses all-to-alls. With U ranks, sequence on dim 1 and heads on `head_dim`:
//   scatter_heads: [B, S/U, …, H, …] → [B, S, …, H/U, …]  (rank j keeps heads [j·H/U, (j+1)·H/U)
//                  over the whole group sequence, chunks in rank order)
//   gather_heads:  the exact inverse.
// 4-D q/k/v use head_dim 2; stacked q,k,v [B, S/U, 3, H, D] use head_dim 3 (one collective).
#pragma once

#include <ATen/ATen.h>

#include "sp/comm/communicator.h"

namespace spstudio::sp {

at::Tensor all_to_all_scatter_heads(Communicator& group, const at::Tensor& x, std::int64_t head_dim);
at::Tensor all_to_all_gather_heads(Communicator& group, const at::Tensor& x, std::int64_t head_dim);

}  // namespace spstudio::sp
