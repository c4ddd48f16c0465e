// SPDX-License-Identifier: Apache-2.0
// How at::Tensor element types map to NCCL's, and NCCL's result codes to readable text. Pure
// functions (no device needed), unit-tested on the CPU machines.
#pragma once

#include <ATen/ATen.h>
#include <nccl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace spstudio::sp::cuda {

/// NCCL's type for `type`; throws std::invalid_argument naming the type and `what` for types NCCL
/// cannot carry (complex, quantised). bool travels as uint8 (same size).
ncclDataType_t nccl_type(at::ScalarType type, const std::string& what);

/// "ncclUnhandledCudaError: unhandled cuda error (run with NCCL_DEBUG=INFO for details)".
std::string nccl_result_text(ncclResult_t result);

/// Row offsets of an all-to-all: offsets[j] = sum of splits[0..j), for j = 0..size (size + 1
/// entries: block j is rows [offsets[j], offsets[j + 1]), the last entry is the total). splits
/// empty: `size` equal blocks of rows / size. Throws std::invalid_argument when rows do not divide,
/// splits.size() != size, or a split is negative (the caller should have said so already).
std::vector<std::int64_t> split_offsets(const std::vector<std::int64_t>& splits, std::int64_t rows, int size);

}  // namespace spstudio::sp::cuda
