// SPDX-License-Identifier: Apache-2.0
// Deterministic weights for builtin models and tests: the same on every rank and every run.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>

namespace spstudio::models {

/// Matrices and kernels ~ N(0, 1/fan_in); norm scales ("…weight" vectors) ~ N(1, 0.1); other
/// vectors (biases) ~ N(0, 0.05). Parameters are visited in registration order.
void init_seeded_weights(torch::nn::Module& module, std::uint64_t seed);

}  // namespace spstudio::models
