// SPDX-License-Identifier: Apache-2.0
// Argument checks shared by the text encoders: a wrong input must fail with a sentence naming the
// model, not deep inside an embedding lookup.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace spstudio::models {

/// input_ids must be a [B, L] integer tensor with 0 <= id < vocab_size and, when max_length > 0,
/// L <= max_length. Throws std::invalid_argument starting with `owner`.
void check_input_ids(const at::Tensor& input_ids, std::int64_t vocab_size, std::int64_t max_length, const char* owner);

}  // namespace spstudio::models
