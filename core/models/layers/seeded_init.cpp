// SPDX-License-Identifier: Apache-2.0
#include "models/layers/seeded_init.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace spstudio::models {

void init_seeded_weights(torch::nn::Module& module, std::uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  at::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    at::Tensor& p = item.value();
    const std::string& name = item.key();
    if (p.dim() >= 2) {
      const double fan_in = static_cast<double>(p.numel() / p.size(0));
      p.normal_(0.0, 1.0 / std::sqrt(fan_in), gen);
    } else if (name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0) {
      p.normal_(1.0, 0.1, gen);
    } else {
      p.normal_(0.0, 0.05, gen);
    }
  }
}

}  // namespace spstudio::models
