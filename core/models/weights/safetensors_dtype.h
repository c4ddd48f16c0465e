// SPDX-License-Identifier: Apache-2.0
// The safetensors dtype names ("F32", "BF16", ...) and their LibTorch scalar types.
#pragma once

#include <c10/core/ScalarType.h>

#include <cstddef>
#include <optional>
#include <string>

namespace spstudio::models {

/// The scalar type of a safetensors dtype name, or nullopt for names this reader does not support
/// (F8_E4M3, U32, C64, ... : LibTorch 1.13 has no such types).
std::optional<at::ScalarType> scalar_type_of_safetensors_dtype(const std::string& name);

/// The safetensors name of `type`; throws WeightsError for types the format cannot hold here.
std::string safetensors_dtype_of(at::ScalarType type);

/// "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL": for error messages.
const char* supported_safetensors_dtypes();

}  // namespace spstudio::models
