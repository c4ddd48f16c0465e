// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the text tests: scratch folders, seeded parameters, parameters by key name and
// a relative-error measure for comparing against float64 references.
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/nn/module.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace spstudio::testing {

/// A fresh folder under the temp directory, removed with everything in it at scope exit.
class TempFolder {
 public:
  TempFolder() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("spstudio_text_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Normal weights from `seed`: norm weights around 1, everything else around 0 with spread `scale`.
inline void seed_parameters(torch::nn::Module& module, std::uint64_t seed, double scale = 0.3) {
  at::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  for (auto& item : module.named_parameters()) {
    const std::string& name = item.key();
    at::Tensor p = item.value();
    const bool norm_weight = name.find("norm") != std::string::npos && ends_with(name, ".weight");
    p.normal_(norm_weight ? 1.0 : 0.0, norm_weight ? 0.1 : scale, generator);
  }
}

using Params = std::map<std::string, at::Tensor>;

/// The module's parameters by dotted key, as float64 copies.
inline Params params_by_key(const torch::nn::Module& module) {
  Params params;
  for (const auto& item : module.named_parameters())
    params[item.key()] = item.value().detach().to(at::kDouble);
  return params;
}

/// params[key], or an exception naming the key (a reference asking for a name the module lacks).
inline const at::Tensor& param(const Params& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) throw std::runtime_error("the module has no parameter '" + key + "'");
  return it->second;
}

/// max |actual − expected| / max |expected|.
inline double relative_error(const at::Tensor& actual, const at::Tensor& expected) {
  const at::Tensor e = expected.to(at::kDouble);
  return (actual.to(at::kDouble) - e).abs().max().item<double>() / e.abs().max().item<double>();
}

}  // namespace spstudio::testing
