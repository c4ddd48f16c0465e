// SPDX-License-Identifier: Apache-2.0
// A whole file mapped into memory, private and copy-on-write: tensors can view checkpoint bytes
// without copying them, and a stray in-place write changes only this process's pages, never the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace spstudio::models {

class MappedFile {
 public:
  /// Maps `path`; throws WeightsError naming the path when it cannot be opened, is not a regular
  /// file, or cannot be mapped. An empty file is valid (size() == 0, data() == nullptr).
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace spstudio::models
