// SPDX-License-Identifier: Apache-2.0
#include "models/text/input_checks.h"

#include <sstream>
#include <stdexcept>
#include <string>

namespace spstudio::models {

void check_input_ids(const at::Tensor& input_ids, std::int64_t vocab_size, std::int64_t max_length, const char* owner) {
  const std::string who(owner);
  if (!input_ids.defined()) throw std::invalid_argument(who + ": input_ids is undefined");
  if (input_ids.dim() != 2) {
    std::ostringstream shape;
    shape << input_ids.sizes();
    throw std::invalid_argument(who + ": input_ids must be [batch, length], got shape " + shape.str());
  }
  if (at::isFloatingType(input_ids.scalar_type()) || at::isComplexType(input_ids.scalar_type()) ||
      input_ids.scalar_type() == at::kBool) {
    throw std::invalid_argument(who + ": input_ids must be integer ids, got " +
                                std::string(c10::toString(input_ids.scalar_type())));
  }
  if (max_length > 0 && input_ids.size(1) > max_length) {
    throw std::invalid_argument(who + ": " + std::to_string(input_ids.size(1)) + " tokens exceed the " +
                                std::to_string(max_length) + " positions of the model");
  }
  if (input_ids.numel() == 0) return;
  const std::int64_t lowest = input_ids.min().item<std::int64_t>();
  const std::int64_t highest = input_ids.max().item<std::int64_t>();
  if (lowest < 0 || highest >= vocab_size) {
    throw std::invalid_argument(who + ": input_ids contain id " + std::to_string(lowest < 0 ? lowest : highest) +
                                ", outside the vocabulary of " + std::to_string(vocab_size));
  }
}

}  // namespace spstudio::models
