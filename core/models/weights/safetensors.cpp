// SPDX-License-Identifier: Apache-2.0
#include "models/weights/safetensors.h"

#include <ATen/ATen.h>

#include <cstring>

#include "models/weights/safetensors_dtype.h"
#include "models/weights/weights_error.h"

// The data buffer is little-endian; tensors view it in place.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors reading assumes a little-endian host");

namespace spstudio::models {
namespace {

std::string where(const std::filesystem::path& path, const std::string& name) {
  return "safetensors file '" + path.string() + "': tensor '" + name + "'";
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : path_(path), mapping_(std::make_shared<const MappedFile>(path)) {
  header_ = parse_safetensors_header(mapping_->data(), mapping_->size(), path.string());
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> result;
  result.reserve(header_.tensors.size());
  for (const auto& entry : header_.tensors)
    result.push_back(entry.first);
  return result;
}

const SafetensorsTensorInfo& SafetensorsFile::info(const std::string& name) const {
  const auto found = header_.tensors.find(name);
  if (found == header_.tensors.end()) throw WeightsError(where(path_, name) + ": no such tensor in the file");
  return found->second;
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const SafetensorsTensorInfo& entry = info(name);
  if (!entry.dtype) {
    throw WeightsError(where(path_, name) + ": unsupported dtype '" + entry.dtype_name +
                       "' (supported: " + supported_safetensors_dtypes() + ")");
  }
  const auto options = at::TensorOptions().dtype(*entry.dtype);
  const std::size_t nbytes = entry.end - entry.begin;
  if (nbytes == 0) return at::empty(entry.shape, options);

  std::uint8_t* data = mapping_->data() + header_.data_start + entry.begin;
  if (*entry.dtype == at::kBool) {
    // Any byte but 0 and 1 is undefined behaviour as a C++ bool.
    for (std::size_t i = 0; i < nbytes; ++i) {
      if (data[i] > 1) {
        throw WeightsError(where(path_, name) + ": BOOL element " + std::to_string(i) + " has byte value " +
                           std::to_string(data[i]) + " (must be 0 or 1)");
      }
    }
  }
  const auto element_size = static_cast<std::uintptr_t>(c10::elementSize(*entry.dtype));
  if (reinterpret_cast<std::uintptr_t>(data) % element_size != 0) {
    at::Tensor copy = at::empty(entry.shape, options);
    std::memcpy(copy.data_ptr(), data, nbytes);
    return copy;
  }
  std::shared_ptr<const MappedFile> keep_alive = mapping_;
  return at::from_blob(
      data, entry.shape, [keep_alive](void*) {}, options);
}

at::Tensor SafetensorsFile::load(const std::string& name, at::ScalarType dtype) const {
  const at::Tensor view = tensor(name);
  try {
    return view.to(dtype, /*non_blocking=*/false, /*copy=*/true).contiguous();
  } catch (const c10::Error& e) {
    throw WeightsError(where(path_, name) + ": cannot convert to " + c10::toString(dtype) + ": " +
                       e.what_without_backtrace());
  }
}

}  // namespace spstudio::models
