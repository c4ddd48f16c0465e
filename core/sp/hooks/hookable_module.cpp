// SPDX-License-Identifier: Apache-2.0
#include "sp/hooks/hookable_module.h"

namespace spstudio::sp {
namespace {

thread_local int t_call_depth = 0;

struct DepthGuard {
  DepthGuard() { ++t_call_depth; }
  ~DepthGuard() { --t_call_depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

}  // namespace

int current_call_depth() {
  return t_call_depth;
}

HookableModule::HookableModule(std::string class_name, std::vector<std::string> parameter_names)
    : torch::nn::Module(class_name), signature_(std::move(class_name), std::move(parameter_names)) {}

HookableModule::~HookableModule() = default;

Value HookableModule::call(Args args) {
  DepthGuard depth;
  if (hooks_ && !hooks_->empty()) return hooks_->dispatch(std::move(args));
  return forward_impl(BoundArgs(signature_, std::move(args)));
}

Value HookableModule::call_original(Args args) {
  return forward_impl(BoundArgs(signature_, std::move(args)));
}

HookRegistry& HookableModule::hooks() {
  if (!hooks_) hooks_ = std::make_unique<HookRegistry>(*this);
  return *hooks_;
}

void HookableModule::describe(ModuleNode&) const {}

}  // namespace spstudio::sp
