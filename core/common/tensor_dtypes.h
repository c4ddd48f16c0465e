// SPDX-License-Identifier: Apache-2.0
// The tensor element types SP Studio stores and sends, by their safetensors names ("F32", "BF16",
// ...): one table for the wire protocol, the LibTorch-free safetensors writer and the weights code.
#pragma once

#include <cstddef>
#include <string>

namespace spstudio {

/// Bytes per element of a safetensors dtype name; 0 for a name that is not supported.
std::size_t dtype_itemsize(const std::string& dtype);

/// "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL": for error messages.
const char* supported_dtypes_text();

}  // namespace spstudio
