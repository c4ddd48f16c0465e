// SPDX-License-Identifier: Apache-2.0
#include "models/weights/safetensors_index.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include "models/weights/weights_error.h"

namespace spstudio::models {
namespace {

using nlohmann::json;

constexpr std::uintmax_t kMaxIndexBytes = 100ull * 1000 * 1000;
constexpr std::size_t kMaxListed = 20;

std::string read_small_file(const std::filesystem::path& path, const std::string& label) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw WeightsError("cannot read " + label + " '" + path.string() + "': " + error.message());
  if (size > kMaxIndexBytes) {
    throw WeightsError(label + " '" + path.string() + "' is " + std::to_string(size) + " bytes: too large to be one");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw WeightsError("cannot read " + label + " '" + path.string() + "'");
  return text;
}

/// Shard names are plain relative paths inside the index's folder: an index must not make us
/// read files elsewhere.
bool is_safe_relative(const std::string& name) {
  const std::filesystem::path p(name);
  if (name.empty() || p.is_absolute()) return false;
  for (const auto& part : p) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

SafetensorsIndex::SafetensorsIndex(const std::filesystem::path& index_path) : path_(index_path) {
  const std::string where = "sharded checkpoint index '" + index_path.string() + "'";
  json index;
  try {
    index = json::parse(read_small_file(index_path, "sharded checkpoint index"));
  } catch (const json::exception& e) {
    throw WeightsError(where + " is not valid JSON: " + e.what());
  }
  if (!index.is_object()) throw WeightsError(where + " must be a JSON object, got " + index.type_name());
  const auto map = index.find("weight_map");
  if (map == index.end()) throw WeightsError(where + " has no 'weight_map'");
  if (!map->is_object()) throw WeightsError(where + ": 'weight_map' must be an object, got " + map->type_name());
  for (const auto& [name, shard] : map->items()) {
    if (!shard.is_string()) {
      throw WeightsError(where + ": 'weight_map' entry for tensor '" + name + "' must be a file name string, got " +
                         shard.type_name());
    }
    const std::string file = shard.get<std::string>();
    if (!is_safe_relative(file)) {
      throw WeightsError(where + ": tensor '" + name + "' maps to '" + file +
                         "', which is not a file name inside the index's folder");
    }
    weight_map_.emplace(name, file);
  }
  if (const auto metadata = index.find("metadata"); metadata != index.end()) metadata_ = *metadata;
}

std::vector<std::string> SafetensorsIndex::names() const {
  std::vector<std::string> result;
  result.reserve(weight_map_.size());
  for (const auto& entry : weight_map_)
    result.push_back(entry.first);
  return result;
}

const SafetensorsFile& SafetensorsIndex::shard_for(const std::string& name) const {
  const auto mapped = weight_map_.find(name);
  if (mapped == weight_map_.end()) {
    throw WeightsError("sharded checkpoint index '" + path_.string() + "': no tensor '" + name + "' in its weight_map");
  }
  const std::string& shard_name = mapped->second;
  const std::lock_guard<std::mutex> lock(mutex_);
  if (const auto open = shards_.find(shard_name); open != shards_.end()) return *open->second;

  const std::filesystem::path shard_path = path_.parent_path() / shard_name;
  std::error_code error;
  if (!std::filesystem::exists(shard_path, error)) {
    throw WeightsError("shard '" + shard_path.string() + "' named by sharded checkpoint index '" + path_.string() +
                       "' (for tensor '" + name + "') is missing");
  }
  auto shard = std::make_unique<const SafetensorsFile>(shard_path);
  std::vector<std::string> lacking;
  for (const auto& [tensor, file] : weight_map_) {
    if (file == shard_name && !shard->contains(tensor)) lacking.push_back(tensor);
  }
  if (!lacking.empty()) {
    std::string list;
    for (std::size_t i = 0; i < lacking.size() && i < kMaxListed; ++i)
      list += (i ? ", '" : "'") + lacking[i] + "'";
    if (lacking.size() > kMaxListed) list += " ... and " + std::to_string(lacking.size() - kMaxListed) + " more";
    throw WeightsError("shard '" + shard_path.string() + "' lacks " + std::to_string(lacking.size()) +
                       " tensor(s) that sharded checkpoint index '" + path_.string() + "' assigns to it: " + list);
  }
  return *shards_.emplace(shard_name, std::move(shard)).first->second;
}

}  // namespace spstudio::models
