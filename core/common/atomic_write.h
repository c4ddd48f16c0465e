// SPDX-License-Identifier: Apache-2.0
// Writing a whole file so that readers see it complete or not at all: the bytes go to a unique
// temporary file in the same folder, are flushed to disk and renamed over the target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spstudio {

/// Throws std::runtime_error "cannot write <path>: <step>: <reason>"; never leaves the temporary
/// file behind. The file is created 0644.
void write_file_atomically(const std::string& path, const void* data, std::size_t size);
inline void write_file_atomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace spstudio
