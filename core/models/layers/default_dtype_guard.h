// SPDX-License-Identifier: Apache-2.0
// Sets LibTorch's default dtype for a scope, so modules are constructed directly in the dtype they
// will run in: a FLUX.1 transformer is 48 GB in float32 before a cast could halve it.
#pragma once

#include <c10/core/DefaultDtype.h>
#include <c10/core/ScalarType.h>

namespace spstudio::models {

class DefaultDtypeGuard {
 public:
  explicit DefaultDtypeGuard(at::ScalarType dtype) : saved_(c10::get_default_dtype()) {
    c10::set_default_dtype(c10::scalarTypeToTypeMeta(dtype));
  }
  ~DefaultDtypeGuard() { c10::set_default_dtype(saved_); }
  DefaultDtypeGuard(const DefaultDtypeGuard&) = delete;
  DefaultDtypeGuard& operator=(const DefaultDtypeGuard&) = delete;

 private:
  caffe2::TypeMeta saved_;
};

}  // namespace spstudio::models
