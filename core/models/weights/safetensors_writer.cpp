// SPDX-License-Identifier: Apache-2.0
#include "models/weights/safetensors_writer.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "common/atomic_file.h"
#include "models/weights/safetensors_dtype.h"
#include "models/weights/weights_error.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors writing assumes a little-endian host");

namespace spstudio::models {
namespace {

using nlohmann::json;

struct Entry {
  const std::string* name;
  const at::Tensor* tensor;
  std::string dtype;
  std::uint64_t nbytes;
};

/// Validated entries in sorted-name order: the order of the data in the file.
std::vector<Entry> sorted_entries(const std::filesystem::path& path, const NamedTensors& tensors) {
  std::vector<Entry> entries;
  entries.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const std::string where = "cannot write '" + path.string() + "': tensor '" + name + "'";
    if (name.empty() || name == "__metadata__") throw WeightsError(where + ": reserved name");
    if (!tensor.defined()) throw WeightsError(where + " is undefined");
    if (tensor.layout() != at::kStrided) throw WeightsError(where + " is not dense (sparse or other layout)");
    std::string dtype;
    try {
      dtype = safetensors_dtype_of(tensor.scalar_type());
    } catch (const WeightsError& e) {
      throw WeightsError(where + ": " + e.what());
    }
    const auto nbytes = static_cast<std::uint64_t>(tensor.numel()) * tensor.element_size();
    entries.push_back({&name, &tensor, dtype, nbytes});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return *a.name < *b.name; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (*entries[i].name == *entries[i - 1].name) {
      throw WeightsError("cannot write '" + path.string() + "': tensor '" + *entries[i].name + "' appears twice");
    }
  }
  return entries;
}

/// Compact JSON with sorted keys, padded with spaces so that the data starts 8-byte aligned.
std::string header_text(const std::filesystem::path& path, const std::vector<Entry>& entries,
                        const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const Entry& entry : entries) {
    header[*entry.name] = {{"dtype", entry.dtype},
                           {"shape", entry.tensor->sizes().vec()},
                           {"data_offsets", {offset, offset + entry.nbytes}}};
    offset += entry.nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    throw WeightsError("cannot write '" + path.string() + "': a tensor name or metadata is not valid UTF-8 (" +
                       e.what() + ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

/// The shared AtomicFile reports I/O failures as std::runtime_error; this API promises WeightsError.
template <class Write>
void with_weights_errors(Write&& write) {
  try {
    write();
  } catch (const WeightsError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw WeightsError(e.what());
  }
}

void write_file(const std::filesystem::path& path, const std::vector<Entry>& entries,
                const std::map<std::string, std::string>& metadata) {
  const std::string header = header_text(path, entries, metadata);
  with_weights_errors([&] {
    AtomicFile file(path);
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i)
      length[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(header.size()) >> (8 * i));
    file.write(length, sizeof length);
    file.write(header.data(), header.size());
    for (const Entry& entry : entries) {
      if (entry.nbytes == 0) continue;
      // One tensor at a time on the host, so saving a GPU model needs no second copy of it.
      at::Tensor host;
      try {
        host = entry.tensor->detach().to(at::kCPU).contiguous();
      } catch (const c10::Error& e) {
        throw WeightsError("cannot write '" + path.string() + "': tensor '" + *entry.name +
                           "': cannot copy it to the host: " + e.what_without_backtrace());
      }
      file.write(host.data_ptr(), entry.nbytes);
    }
    file.commit();
  });
}

std::string shard_name(const std::string& base, std::size_t index, std::size_t count) {
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, "-%05zu-of-%05zu.safetensors", index, count);
  return base + suffix;
}

}  // namespace

void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file(path, sorted_entries(path, tensors), metadata);
}

std::filesystem::path save_sharded_safetensors(const std::filesystem::path& folder, const std::string& base_name,
                                               const NamedTensors& tensors, std::uint64_t max_shard_bytes) {
  const std::filesystem::path index_path = folder / (base_name + ".safetensors.index.json");
  if (max_shard_bytes == 0) throw WeightsError("cannot write '" + index_path.string() + "': max_shard_bytes is 0");
  const std::vector<Entry> entries = sorted_entries(index_path, tensors);

  std::vector<std::vector<Entry>> shards(1);
  std::uint64_t shard_bytes = 0, total_bytes = 0;
  for (const Entry& entry : entries) {
    if (!shards.back().empty() && shard_bytes + entry.nbytes > max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back(entry);
    shard_bytes += entry.nbytes;
    total_bytes += entry.nbytes;
  }

  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw WeightsError("cannot create folder '" + folder.string() + "': " + error.message());
  json weight_map = json::object();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::string name = shard_name(base_name, i + 1, shards.size());
    write_file(folder / name, shards[i], {});
    for (const Entry& entry : shards[i])
      weight_map[*entry.name] = name;
  }
  const json index = {{"metadata", {{"total_size", total_bytes}}}, {"weight_map", weight_map}};
  const std::string text = index.dump(2) + "\n";  // as transformers writes it: indent 2, sorted keys
  with_weights_errors([&] { write_file_atomically(index_path, text.data(), text.size()); });
  return index_path;
}

}  // namespace spstudio::models
