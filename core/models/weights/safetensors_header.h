// SPDX-License-Identifier: Apache-2.0
// Parsing and validating the header of a safetensors file: [u64 little-endian length N][N bytes of
// JSON][data buffer]. Kept apart from the file mapping so it can be tested (and fuzzed) on bytes.
#pragma once

#include <c10/core/ScalarType.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spstudio::models {

/// One tensor entry of the header, validated against the data buffer.
struct SafetensorsTensorInfo {
  std::string dtype_name;               ///< as written in the file ("F32", "F8_E4M3", ...)
  std::optional<at::ScalarType> dtype;  ///< nullopt when this reader does not support dtype_name
  std::vector<std::int64_t> shape;      ///< all dims >= 0
  std::uint64_t begin = 0, end = 0;     ///< byte range within the data buffer
};

struct SafetensorsHeader {
  std::map<std::string, SafetensorsTensorInfo> tensors;  ///< by name (sorted)
  std::map<std::string, std::string> metadata;           ///< "__metadata__", empty when absent
  std::uint64_t data_start = 0;                          ///< 8 + N: where the data buffer begins
  std::uint64_t data_size = 0;                           ///< bytes from data_start to the end
};

/// Largest accepted header: real headers are kilobytes; a bigger length means a corrupt file.
constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100ull * 1000 * 1000;

/// Validates the whole header of the `size` bytes at `bytes` (the complete file). `origin` names the
/// file in error messages. Throws WeightsError naming the file, the tensor and the problem: file too
/// short, absurd or too large header length, invalid JSON, missing or ill-typed fields, negative
/// dims, byte ranges that disagree with dtype x shape or reach past the data buffer. Unsupported
/// dtypes are recorded (dtype == nullopt), not rejected, so such a file can still be listed.
/// Overlapping or out-of-order ranges are accepted as long as they lie within the buffer.
SafetensorsHeader parse_safetensors_header(const std::uint8_t* bytes, std::size_t size, const std::string& origin);

/// Bytes per element of a safetensors dtype name, nullopt when unknown or not byte-sized (F4).
std::optional<std::uint64_t> safetensors_element_size(const std::string& dtype_name);

}  // namespace spstudio::models
