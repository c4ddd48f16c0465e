// SPDX-License-Identifier: Apache-2.0
// Reading one .safetensors file, memory-mapped. See safetensors_header.h for the format.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/weights/mapped_file.h"
#include "models/weights/safetensors_header.h"

namespace spstudio::models {

/// An open safetensors file. Opening maps the file and validates the whole header (every tensor's
/// byte range), so later reads cannot run past the data. Copies share the mapping, and so do the
/// tensors returned by tensor(): the mapping lives until the last of them is gone.
class SafetensorsFile {
 public:
  /// Throws WeightsError naming the file (and the tensor) when it is unreadable or corrupt.
  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> names() const;  ///< sorted
  bool contains(const std::string& name) const { return header_.tensors.count(name) != 0; }
  /// Throws WeightsError naming the file and the tensor when there is no such tensor.
  const SafetensorsTensorInfo& info(const std::string& name) const;
  const std::map<std::string, SafetensorsTensorInfo>& tensors() const { return header_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }

  /// A CPU tensor viewing the file's bytes: no copy. Read-only by convention (the mapping is
  /// private, so writes would never reach the file, but other views of the same tensor see them).
  /// Data that is not aligned to its element size is copied instead, because kernels may assume
  /// alignment. Throws WeightsError for an unsupported dtype or BOOL bytes other than 0 and 1.
  at::Tensor tensor(const std::string& name) const;

  /// An owned, contiguous copy of the tensor converted to `dtype`.
  at::Tensor load(const std::string& name, at::ScalarType dtype) const;

 private:
  std::filesystem::path path_;
  std::shared_ptr<const MappedFile> mapping_;
  SafetensorsHeader header_;
};

}  // namespace spstudio::models
