// SPDX-License-Identifier: Apache-2.0
// Writing safetensors files in the exact format of the reference implementation: u64 little-endian
// header length, compact JSON header padded with spaces to a multiple of 8 bytes, then the data.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace spstudio::models {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

/// Writes `tensors` (any device, layout or requires_grad; the F64..BOOL dtypes of
/// safetensors_dtype.h) and string `metadata` (omitted when empty) to `path`. The header's keys are
/// sorted and the data follows in the order of the sorted names. The file is written to a
/// unique temporary next to `path` (common/atomic_file.h), flushed to disk and renamed, so a crash
/// never leaves a half-written `path`.
/// Throws WeightsError naming the path (and the tensor) on duplicate, empty or reserved names,
/// undefined tensors, unsupported dtypes and I/O errors.
void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Splits `tensors` (in sorted-name order) into shards of at most `max_shard_bytes` of tensor data
/// each (a bigger tensor gets a shard of its own) and writes `<base_name>-00001-of-0000N.safetensors`
/// ... plus `<base_name>.safetensors.index.json` ({"metadata": {"total_size": bytes}, "weight_map":
/// {name: shard}}) into `folder` (created if needed), as transformers/diffusers name them. The index
/// is written last, so it never names a shard that is not complete. Returns the index path.
std::filesystem::path save_sharded_safetensors(const std::filesystem::path& folder, const std::string& base_name,
                                               const NamedTensors& tensors, std::uint64_t max_shard_bytes);

}  // namespace spstudio::models
