// SPDX-License-Identifier: Apache-2.0
// Multi-axis rotary position embeddings as Flux uses them: every axis of a position id gets its own
// band of frequencies, the angle of each pair is repeated for both of its elements (interleaved
// pairs), and tables are computed in float64 before rounding to the working type.
#pragma once

#include <ATen/ATen.h>

#include <utility>
#include <vector>

namespace spstudio::models {

/// cos/sin tables [N, Σ axes_dims] for position ids [N, axes]; axis i uses axes_dims[i] dims.
/// Returned in the ids' floating type (float32 for integer ids).
std::pair<at::Tensor, at::Tensor> rope_tables(const at::Tensor& ids, const std::vector<std::int64_t>& axes_dims,
                                              double theta);

/// x [B, S, H, D] rotated by tables [S, D], computed in the tables' type and returned in x's.
at::Tensor apply_rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace spstudio::models
