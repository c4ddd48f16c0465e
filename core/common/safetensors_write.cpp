// SPDX-License-Identifier: Apache-2.0
#include "common/safetensors_write.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/atomic_file.h"
#include "common/tensor_dtypes.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors writing assumes a little-endian host");

namespace spstudio {

std::vector<std::uint8_t> encode_safetensors(const NamedTensorData& tensors,
                                             const std::map<std::string, std::string>& metadata) {
  std::vector<const std::pair<std::string, wire::TensorData>*> sorted;
  for (const auto& entry : tensors)
    sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });

  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const auto& [name, tensor] = *sorted[i];
    const std::string where = "tensor \"" + name + "\"";
    if (name.empty() || name == "__metadata__") throw std::invalid_argument(where + ": the name is reserved");
    if (i > 0 && sorted[i - 1]->first == name) throw std::invalid_argument(where + " appears twice");
    const std::uint64_t item = dtype_itemsize(tensor.dtype);
    if (item == 0)
      throw std::invalid_argument(where + ": unknown safetensors dtype \"" + tensor.dtype +
                                  "\" (supported: " + supported_dtypes_text() + ")");
    std::uint64_t numel = 1;
    for (const auto d : tensor.shape) {
      if (d < 0) throw std::invalid_argument(where + ": negative dimension " + std::to_string(d));
      numel *= static_cast<std::uint64_t>(d);
    }
    if (numel * item != tensor.bytes.size())
      throw std::invalid_argument(where + ": " + std::to_string(tensor.bytes.size()) + " bytes for " +
                                  std::to_string(numel) + " " + tensor.dtype + " elements (needs " +
                                  std::to_string(numel * item) + ")");
    header[name] = {
        {"dtype", tensor.dtype}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + numel * item}}};
    offset += numel * item;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("a tensor name or metadata is not valid UTF-8 (") + e.what() + ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<std::uint8_t> out;
  out.reserve(8 + text.size() + offset);
  const std::uint64_t length = text.size();
  for (int b = 0; b < 8; ++b)
    out.push_back(static_cast<std::uint8_t>(length >> (8 * b)));
  out.insert(out.end(), text.begin(), text.end());
  for (const auto* entry : sorted)
    out.insert(out.end(), entry->second.bytes.begin(), entry->second.bytes.end());
  return out;
}

void write_safetensors(const std::string& path, const NamedTensorData& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = encode_safetensors(tensors, metadata);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("cannot write " + path + ": " + e.what());
  }
  write_file_atomically(path, bytes);
}

}  // namespace spstudio
