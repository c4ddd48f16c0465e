// SPDX-License-Identifier: Apache-2.0
// A sharded checkpoint: `<base>.safetensors.index.json` = {"metadata": {...}, "weight_map":
// {tensor: "<base>-00001-of-0000N.safetensors"}} next to its shards (transformers/diffusers layout).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "models/weights/safetensors.h"

namespace spstudio::models {

class SafetensorsIndex {
 public:
  /// Reads and validates the index (not the shards). Throws WeightsError naming the index file.
  explicit SafetensorsIndex(const std::filesystem::path& index_path);
  SafetensorsIndex(const SafetensorsIndex&) = delete;
  SafetensorsIndex& operator=(const SafetensorsIndex&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::vector<std::string> names() const;  ///< sorted, from the weight map
  bool contains(const std::string& name) const { return weight_map_.count(name) != 0; }
  const std::map<std::string, std::string>& weight_map() const { return weight_map_; }
  const nlohmann::json& metadata() const { return metadata_; }  ///< null when absent

  /// The shard holding `name`, opened on first use (thread-safe). Opening a shard checks that it
  /// holds every tensor the map assigns to it. Throws WeightsError when the tensor is not in the
  /// map, the shard file is missing (named, with a tensor it should hold) or lacks a tensor.
  const SafetensorsFile& shard_for(const std::string& name) const;

 private:
  std::filesystem::path path_;
  std::map<std::string, std::string> weight_map_;  ///< tensor name -> shard file name
  nlohmann::json metadata_;
  mutable std::mutex mutex_;  ///< guards shards_
  mutable std::map<std::string, std::unique_ptr<const SafetensorsFile>> shards_;
};

}  // namespace spstudio::models
