// SPDX-License-Identifier: Apache-2.0
// Checks on what workers stream, shared by the spworker tests: preview tiles that tile the image,
// range names defined before use, float tensors read back from wire values and safetensors files.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "worker_driver.h"

namespace spstudio::testing {

struct FloatTensor {
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

/// Wire tensors from values, for input files (common/safetensors_write.h).
wire::TensorData f32_tensor(std::vector<std::int64_t> shape, const std::vector<float>& values);
wire::TensorData i64_tensor(std::vector<std::int64_t> shape, const std::vector<std::int64_t>& values);
/// Deterministic values in [-1, 1).
std::vector<float> seeded_floats(std::size_t n, std::uint32_t seed);

/// An F32 wire tensor's values (fails the test for another dtype).
FloatTensor floats_of(const wire::TensorData& tensor);
/// Every F32 tensor of a safetensors file.
std::map<std::string, FloatTensor> read_f32_safetensors(const std::string& path);
/// max |a − b| (sizes must match) and max |a|.
double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b);
double max_abs(const std::vector<float>& a);

/// Paints the previews of one step into the full preview image and checks every pixel is covered
/// exactly once; returns the stitched RGB bytes (empty after a failure).
std::vector<std::uint8_t> stitch_previews(const std::vector<wire::StepPreview>& previews);

/// Per rank, in arrival order: every Ranges record's name_id was defined by an earlier StringDef
/// of that rank. Returns the names used, by step (0 = before the first step, -1 = after the last).
std::map<int, std::vector<std::string>> check_range_names(const std::vector<Received>& received, int rank);

}  // namespace spstudio::testing
