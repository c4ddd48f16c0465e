// SPDX-License-Identifier: Apache-2.0
#include "common/tensor_dtypes.h"

#include <array>
#include <utility>

namespace spstudio {
namespace {

constexpr std::array<std::pair<const char*, std::size_t>, 10> kDtypes{{
    {"F64", 8},
    {"F32", 4},
    {"F16", 2},
    {"BF16", 2},
    {"I64", 8},
    {"I32", 4},
    {"I16", 2},
    {"I8", 1},
    {"U8", 1},
    {"BOOL", 1},
}};

}  // namespace

std::size_t dtype_itemsize(const std::string& dtype) {
  for (const auto& [name, size] : kDtypes) {
    if (dtype == name) return size;
  }
  return 0;
}

const char* supported_dtypes_text() {
  return "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL";
}

}  // namespace spstudio
