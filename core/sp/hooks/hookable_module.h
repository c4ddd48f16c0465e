// SPDX-License-Identifier: Apache-2.0
// The base of every module a plan can address. Model code calls children through call() (or the
// typed forward() wrappers built on it), so hooks see every call; with no hooks registered a call
// goes straight to forward_impl().
#pragma once

#include <torch/nn/module.h>

#include <memory>

#include "common/manifest.h"
#include "sp/hooks/args.h"
#include "sp/hooks/hook_registry.h"

namespace spstudio::sp {

class HookableModule : public torch::nn::Module {
 public:
  /// `class_name` is what manifests and error messages show; `parameter_names` is the declared
  /// forward signature, in order.
  HookableModule(std::string class_name, std::vector<std::string> parameter_names);
  ~HookableModule() override;

  /// Runs the module through its hooks.
  Value call(Args args);
  /// Runs the module's own forward, bypassing hooks (what the registry calls).
  Value call_original(Args args);

  const Signature& signature() const { return signature_; }
  const std::string& class_name() const { return signature_.class_name(); }

  HookRegistry& hooks();                                        ///< creates the registry on first use
  HookRegistry* hook_registry() const { return hooks_.get(); }  ///< nullptr when none

  /// Adds what only the module knows to its manifest node (attention heads, ...).
  virtual void describe(ModuleNode& node) const;

 protected:
  virtual Value forward_impl(const BoundArgs& args) = 0;

 private:
  Signature signature_;
  std::unique_ptr<HookRegistry> hooks_;
};

/// How many hookable calls are on this thread's stack right now (the root's body runs at 1).
/// SP regions use it to pair gathers with the splits they close.
int current_call_depth();

}  // namespace spstudio::sp
