// SPDX-License-Identifier: Apache-2.0
#include "models/weights/safetensors_dtype.h"

#include <array>
#include <utility>

#include "common/tensor_dtypes.h"
#include "models/weights/weights_error.h"

namespace spstudio::models {
namespace {

constexpr std::array<std::pair<const char*, at::ScalarType>, 10> kDtypes{{
    {"F64", at::kDouble},
    {"F32", at::kFloat},
    {"F16", at::kHalf},
    {"BF16", at::kBFloat16},
    {"I64", at::kLong},
    {"I32", at::kInt},
    {"I16", at::kShort},
    {"I8", at::kChar},
    {"U8", at::kByte},
    {"BOOL", at::kBool},
}};

}  // namespace

std::optional<at::ScalarType> scalar_type_of_safetensors_dtype(const std::string& name) {
  for (const auto& [dtype_name, type] : kDtypes) {
    if (name == dtype_name) return type;
  }
  return std::nullopt;
}

std::string safetensors_dtype_of(at::ScalarType type) {
  for (const auto& [dtype_name, dtype_type] : kDtypes) {
    if (type == dtype_type) return dtype_name;
  }
  throw WeightsError(std::string("safetensors: cannot store tensors of type ") + c10::toString(type) +
                     " (supported: " + supported_safetensors_dtypes() + ")");
}

const char* supported_safetensors_dtypes() {
  return supported_dtypes_text();  // the same set the wire protocol and the LibTorch-free writer use
}

}  // namespace spstudio::models
