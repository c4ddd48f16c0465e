// SPDX-License-Identifier: Apache-2.0
// Turning what the pipeline reports into wire messages: this rank's preview tile of a step's x0,
// tensors and images as wire values, and the profiling ranges recorded since the last step.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>

#include "common/wire/messages.h"
#include "connection.h"
#include "models/flux/pipeline.h"

namespace spstudio::workers {

/// The messages of one image of one job come from this rank.
struct StreamTarget {
  Connection* connection = nullptr;
  std::uint32_t rank = 0;
  std::uint64_t job_id = 0;
  std::uint32_t image_index = 0;
};

/// Float tensors as F32, uint8 as U8, integers as I64: contiguous CPU bytes.
wire::TensorData to_tensor_data(const at::Tensor& tensor);
/// uint8 [H, W, 3] → RgbImage.
wire::RgbImage to_rgb_image(const at::Tensor& image);

/// This rank's shard of the step's x0 as a preview tile in the latent-resolution preview image
/// (2 pixels per token side, `pixel_scale` image pixels per preview pixel); nullopt when the
/// rank holds no tokens (more ranks than tokens). Recorded as a "preview" range.
std::optional<wire::StepPreview> make_step_preview(const models::flux::StepEvent& event, std::uint32_t pixel_scale);

/// The full x0 of the step, unpacked to [1, C, h, w] float32.
wire::TensorData x0_latents(const models::flux::StepEvent& event);

/// Sends StringDef for every range name first used since the last call, then the ranges that
/// closed since the last call as Ranges of `step`. With step 1, ranges that closed before the
/// step began (text encoding) go out as step 0. A "step" range [step_begin_ns, step_end_ns) is
/// added when the pipeline itself recorded none. step −1: after the last step (VAE decode).
void send_ranges(const StreamTarget& target, std::int32_t step, std::int64_t step_begin_ns = 0,
                 std::int64_t step_end_ns = 0);

}  // namespace spstudio::workers
