// SPDX-License-Identifier: Apache-2.0
// Tiny hookable modules for hook and plan tests.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "sp/hooks/hookable_module.h"

namespace spstudio::testing {

/// Returns its single argument, or a tuple of all its arguments (None where not passed).
class EchoImpl : public sp::HookableModule {
 public:
  explicit EchoImpl(std::vector<std::string> params, std::string cls = "Echo")
      : sp::HookableModule(std::move(cls), std::move(params)) {}

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override {
    if (args.size() == 1) return args.at(0);
    std::vector<sp::Value> all;
    for (std::size_t i = 0; i < args.size(); ++i)
      all.push_back(args.at(i));
    return sp::make_tuple(std::move(all));
  }
};
TORCH_MODULE(Echo);

/// x · factor.
class ScaleImpl : public sp::HookableModule {
 public:
  explicit ScaleImpl(double factor) : sp::HookableModule("Scale", {"x"}), factor_(factor) {}

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override { return args.tensor("x") * factor_; }

 private:
  double factor_;
};
TORCH_MODULE(Scale);

/// Toy(x) = proj_out(blocks.2(blocks.1(blocks.0(x)))); each block scales; probe records whether
/// SP was active while it ran.
class ToyImpl : public sp::HookableModule {
 public:
  ToyImpl() : sp::HookableModule("Toy", {"x"}) {
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < 3; ++i)
      blocks->push_back(Scale(i + 1.0));
    proj_out = register_module("proj_out", Echo(std::vector<std::string>{"input"}, "Linear"));
  }
  at::Tensor forward(const at::Tensor& x) { return call({x}).toTensor(); }

  torch::nn::ModuleList blocks{nullptr};
  Echo proj_out{nullptr};
  std::function<void()> probe;

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override {
    sp::Value x = args["x"];
    for (const auto& b : *blocks)
      x = b->as<sp::HookableModule>()->call({x});
    if (probe) probe();
    return proj_out->call({x});
  }
};
TORCH_MODULE(Toy);

/// A hookable module whose forward is a callback (children registered by the test).
class BodyImpl : public sp::HookableModule {
 public:
  BodyImpl(std::string cls, std::vector<std::string> params) : sp::HookableModule(std::move(cls), std::move(params)) {}
  std::function<sp::Value(const sp::BoundArgs&)> body;

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override { return body(args); }
};
TORCH_MODULE(Body);

}  // namespace spstudio::testing
