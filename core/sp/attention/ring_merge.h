// SPDX-License-Identifier: Apache-2.0
// Online-softmax merge of attention blocks (ring attention). With running (out, lse) and a new
// block (o_b, l_b):  out ← out − σ(l_b − lse)·(out − o_b),  lse ← logaddexp(lse, l_b).
// Everything in float32. Blocks with lse = −inf (no keys) contribute nothing; a block with
// lse = +inf dominates (two such blocks share equally).
#pragma once

#include <ATen/ATen.h>

namespace spstudio::sp {

struct MergeState {
  at::Tensor out;  ///< [B, S, H, D] float32; undefined before the first block
  at::Tensor lse;  ///< [B, S, H, 1] float32
};

/// Folds one block (out [B, S, H, D] any float type, lse [B, S, H] float32) into `state`.
void ring_merge(MergeState& state, const at::Tensor& block_out, const at::Tensor& block_lse);

}  // namespace spstudio::sp
