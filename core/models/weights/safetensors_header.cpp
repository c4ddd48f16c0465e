// SPDX-License-Identifier: Apache-2.0
#include "models/weights/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <array>
#include <limits>
#include <utility>

#include "models/weights/safetensors_dtype.h"
#include "models/weights/weights_error.h"

namespace spstudio::models {
namespace {

using nlohmann::json;

std::string in_file(const std::string& origin) {
  return "safetensors file '" + origin + "'";
}

[[noreturn]] void fail_tensor(const std::string& origin, const std::string& name, const std::string& problem) {
  throw WeightsError(in_file(origin) + ": tensor '" + name + "': " + problem);
}

std::string dims_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// A JSON value as a non-negative integer that fits in int64, or nullopt (floats, negatives, huge).
std::optional<std::uint64_t> as_count(const json& value) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return v;
    return std::nullopt;
  }
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::int64_t>();
  return std::nullopt;
}

const char* json_type(const json& value) {
  return value.type_name();
}

SafetensorsTensorInfo parse_tensor(const std::string& origin, const std::string& name, const json& entry,
                                   std::uint64_t data_size) {
  if (!entry.is_object()) fail_tensor(origin, name, std::string("entry must be an object, got ") + json_type(entry));
  SafetensorsTensorInfo info;

  const auto dtype = entry.find("dtype");
  if (dtype == entry.end()) fail_tensor(origin, name, "missing field 'dtype'");
  if (!dtype->is_string()) fail_tensor(origin, name, std::string("'dtype' must be a string, got ") + json_type(*dtype));
  info.dtype_name = dtype->get<std::string>();
  info.dtype = scalar_type_of_safetensors_dtype(info.dtype_name);

  const auto shape = entry.find("shape");
  if (shape == entry.end()) fail_tensor(origin, name, "missing field 'shape'");
  if (!shape->is_array()) fail_tensor(origin, name, std::string("'shape' must be an array, got ") + json_type(*shape));
  std::uint64_t numel = 1;
  bool numel_overflows = false;
  for (const json& dim : *shape) {
    if (dim.is_number_integer() && !dim.is_number_unsigned() && dim.get<std::int64_t>() < 0) {
      fail_tensor(origin, name, "negative dimension " + std::to_string(dim.get<std::int64_t>()) + " in 'shape'");
    }
    const auto size = as_count(dim);
    if (!size) fail_tensor(origin, name, "'shape' must hold non-negative integers, got " + dim.dump());
    info.shape.push_back(static_cast<std::int64_t>(*size));
    numel_overflows = numel_overflows || __builtin_mul_overflow(numel, *size, &numel);
  }

  const auto offsets = entry.find("data_offsets");
  if (offsets == entry.end()) fail_tensor(origin, name, "missing field 'data_offsets'");
  if (!offsets->is_array() || offsets->size() != 2) {
    fail_tensor(origin, name, "'data_offsets' must be an array [begin, end], got " + offsets->dump());
  }
  const auto begin = as_count((*offsets)[0]);
  const auto end = as_count((*offsets)[1]);
  if (!begin || !end) {
    fail_tensor(origin, name, "'data_offsets' must hold non-negative integers, got " + offsets->dump());
  }
  info.begin = *begin;
  info.end = *end;
  const std::string range = "data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + "]";
  if (info.end < info.begin) fail_tensor(origin, name, range + " end before begin");

  // Checked before the bounds so that a wrong shape is reported as such even in a short file.
  const auto element_size = safetensors_element_size(info.dtype_name);
  std::uint64_t nbytes = 0;
  if (element_size && (numel_overflows || __builtin_mul_overflow(numel, *element_size, &nbytes))) {
    fail_tensor(origin, name, "shape " + dims_text(info.shape) + " is too large");
  }
  if (element_size && nbytes != info.end - info.begin) {
    fail_tensor(origin, name,
                range + " span " + std::to_string(info.end - info.begin) + " bytes but " + info.dtype_name + " " +
                    dims_text(info.shape) + " needs " + std::to_string(nbytes) + " bytes");
  }
  if (info.end > data_size) {
    fail_tensor(origin, name,
                range + " reach past the end of the data buffer (" + std::to_string(data_size) +
                    " bytes): the file is truncated");
  }
  return info;
}

std::map<std::string, std::string> parse_metadata(const std::string& origin, const json& metadata) {
  if (!metadata.is_object()) {
    throw WeightsError(in_file(origin) + ": '__metadata__' must be an object of strings, got " + json_type(metadata));
  }
  std::map<std::string, std::string> result;
  for (const auto& [key, value] : metadata.items()) {
    if (!value.is_string()) {
      throw WeightsError(in_file(origin) + ": '__metadata__' entry '" + key + "' must be a string, got " +
                         json_type(value));
    }
    result.emplace(key, value.get<std::string>());
  }
  return result;
}

}  // namespace

std::optional<std::uint64_t> safetensors_element_size(const std::string& dtype_name) {
  static const std::array<std::pair<const char*, std::uint64_t>, 16> sizes{{
      {"BOOL", 1},
      {"U8", 1},
      {"I8", 1},
      {"F8_E5M2", 1},
      {"F8_E4M3", 1},
      {"F8_E8M0", 1},
      {"I16", 2},
      {"U16", 2},
      {"F16", 2},
      {"BF16", 2},
      {"I32", 4},
      {"U32", 4},
      {"F32", 4},
      {"I64", 8},
      {"U64", 8},
      {"F64", 8},
  }};
  for (const auto& [name, size] : sizes) {
    if (dtype_name == name) return size;
  }
  return std::nullopt;
}

SafetensorsHeader parse_safetensors_header(const std::uint8_t* bytes, std::size_t size, const std::string& origin) {
  if (size < 8) {
    throw WeightsError(in_file(origin) + ": the file is " + std::to_string(size) +
                       " bytes, shorter than the 8-byte header length: truncated or not a safetensors file");
  }
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i)
    header_size = (header_size << 8) | bytes[i];  // little-endian on any host
  const std::uint64_t rest = size - 8;
  if (header_size > kMaxSafetensorsHeaderBytes) {
    throw WeightsError(in_file(origin) + ": header length " + std::to_string(header_size) +
                       " is absurd (more than 100 MB): corrupt or not a safetensors file");
  }
  if (header_size > rest) {
    throw WeightsError(in_file(origin) + ": header length " + std::to_string(header_size) +
                       " is larger than the rest of the file (" + std::to_string(rest) +
                       " bytes): the file is truncated or not a safetensors file");
  }

  json header;
  try {
    header = json::parse(bytes + 8, bytes + 8 + header_size);
  } catch (const json::exception& e) {
    throw WeightsError(in_file(origin) + ": the header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) {
    throw WeightsError(in_file(origin) + ": the header must be a JSON object, got " + json_type(header));
  }

  SafetensorsHeader result;
  result.data_start = 8 + header_size;
  result.data_size = rest - header_size;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      result.metadata = parse_metadata(origin, entry);
    } else {
      result.tensors.emplace(name, parse_tensor(origin, name, entry, result.data_size));
    }
  }
  return result;
}

}  // namespace spstudio::models
