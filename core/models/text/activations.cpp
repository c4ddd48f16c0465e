// SPDX-License-Identifier: Apache-2.0
#include "models/text/activations.h"

#include <stdexcept>

namespace spstudio::models {

Activation parse_activation(const std::string& name, const char* key, const char* owner) {
  if (name == "quick_gelu") return Activation::kQuickGelu;
  if (name == "gelu") return Activation::kGelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::kGeluNew;
  if (name == "relu") return Activation::kRelu;
  if (name == "silu" || name == "swish") return Activation::kSilu;
  throw std::invalid_argument(std::string(owner) + ": unsupported '" + key + "' \"" + name +
                              "\" (supported: quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish)");
}

at::Tensor apply_activation(Activation activation, const at::Tensor& x) {
  switch (activation) {
    case Activation::kQuickGelu:
      return x * at::sigmoid(1.702 * x);
    case Activation::kGelu:
      return at::gelu(x);
    case Activation::kGeluNew:
      return at::gelu(x, "tanh");
    case Activation::kRelu:
      return at::relu(x);
    case Activation::kSilu:
      return at::silu(x);
  }
  throw std::logic_error("unknown activation");
}

}  // namespace spstudio::models
