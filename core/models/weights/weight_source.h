// SPDX-License-Identifier: Apache-2.0
// One view over a checkpoint, whatever its layout: a single .safetensors file or a sharded index.
#pragma once

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/weights/safetensors.h"
#include "models/weights/safetensors_index.h"

namespace spstudio::models {

/// Cheap to copy (shares the open files). Tensor names are the checkpoint's state-dict keys.
class WeightSource {
 public:
  explicit WeightSource(SafetensorsFile file);
  explicit WeightSource(std::shared_ptr<const SafetensorsIndex> index);

  /// The file that was opened: the .safetensors file or the index.
  const std::filesystem::path& path() const;
  std::vector<std::string> names() const;  ///< sorted
  bool contains(const std::string& name) const;
  /// dtype, shape and byte range; for a sharded checkpoint this opens the tensor's shard.
  /// Throws WeightsError naming the checkpoint and the tensor when it is absent.
  const SafetensorsTensorInfo& info(const std::string& name) const;
  /// See SafetensorsFile::tensor (a view into the mapped file) and SafetensorsFile::load.
  at::Tensor tensor(const std::string& name) const;
  at::Tensor load(const std::string& name, at::ScalarType dtype) const;

  /// One line per tensor: "name F32 [3, 4]" (opens every shard).
  std::string describe() const;

 private:
  const SafetensorsFile& file_for(const std::string& name) const;

  std::shared_ptr<const SafetensorsFile> file_;    ///< set for a single file
  std::shared_ptr<const SafetensorsIndex> index_;  ///< set for a sharded checkpoint
};

/// Component weight file names tried in a folder, in this order (diffusers, then transformers).
extern const char* const kWeightFileNames[4];

/// Opens `folder_or_file`: a `.safetensors` file, a `*.safetensors.index.json`, or a component
/// folder holding one of kWeightFileNames. Throws WeightsError when nothing fits, naming the names
/// tried; pickle checkpoints (.bin, .pt, .pth, .ckpt) are refused with a hint to convert them.
WeightSource open_weights(const std::filesystem::path& folder_or_file);

}  // namespace spstudio::models
