// SPDX-License-Identifier: Apache-2.0
// Tensor front-ends of core/common/latent_preview.h for the workers' step callback.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

#include "common/latent_preview.h"

namespace spstudio::models {

/// Predicted x0 [C, h, w] (diffusion space, any device/dtype) → uint8 [h, w, 3] on the CPU.
at::Tensor preview_from_x0(const LatentPreviewTable& table, const at::Tensor& x0_latents);

/// A rank's shard of packed x0 tokens [n_tokens, 4·C] (or [1, n_tokens, 4·C]), starting at global
/// token `first_token` of a grid `grid_w` tokens wide → its preview tile (see PreviewTile).
PreviewTile preview_tile_from_tokens(const LatentPreviewTable& table, const at::Tensor& x0_tokens,
                                     std::int64_t first_token, int grid_w);

}  // namespace spstudio::models
