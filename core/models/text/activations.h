// SPDX-License-Identifier: Apache-2.0
// The activation functions the text encoders' configs name (transformers' ACT2FN keys).
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace spstudio::models {

enum class Activation {
  kQuickGelu,  ///< "quick_gelu": x·sigmoid(1.702x) (CLIP)
  kGelu,       ///< "gelu": exact, erf-based
  kGeluNew,    ///< "gelu_new" / "gelu_pytorch_tanh": the tanh approximation (T5 v1.1)
  kRelu,       ///< "relu"
  kSilu,       ///< "silu" / "swish"
};

/// Throws std::invalid_argument naming `owner`, `key` and the supported names for anything else.
Activation parse_activation(const std::string& name, const char* key, const char* owner);
at::Tensor apply_activation(Activation activation, const at::Tensor& x);

}  // namespace spstudio::models
