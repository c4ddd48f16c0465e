// SPDX-License-Identifier: Apache-2.0
// Writing wire tensors (wire::TensorData: dtype name, shape, little-endian bytes) as a safetensors
// file without LibTorch, for the CLI's --latents-out and the GUI. The format is the reference
// implementation's: u64 little-endian header length, compact JSON header with sorted keys padded
// with spaces to a multiple of 8 bytes, then the tensors' bytes in the order of the sorted names.
// (core/models/weights has the LibTorch reader and writer.)
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/wire/messages.h"

namespace spstudio {

using NamedTensorData = std::vector<std::pair<std::string, wire::TensorData>>;

/// The file's bytes. Throws std::invalid_argument naming the tensor on an empty, reserved or
/// duplicate name, an unknown dtype or a byte count that does not match dtype × shape.
std::vector<std::uint8_t> encode_safetensors(const NamedTensorData& tensors,
                                             const std::map<std::string, std::string>& metadata = {});

/// Writes atomically (common/atomic_file.h); errors name `path`.
void write_safetensors(const std::string& path, const NamedTensorData& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace spstudio
