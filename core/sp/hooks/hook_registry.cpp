// SPDX-License-Identifier: Apache-2.0
#include "sp/hooks/hook_registry.h"

#include <stdexcept>

#include "sp/hooks/hookable_module.h"

namespace spstudio::sp {

void ModelHook::initialize(HookableModule&) {}
void ModelHook::pre_forward(HookableModule&, Args&) {}
Value ModelHook::new_forward(HookableModule& module, Args& args) {
  return module.call_original(std::move(args));
}
Value ModelHook::post_forward(HookableModule&, Value output) {
  return output;
}
void ModelHook::reset_state(HookableModule&) {}

void HookRegistry::register_hook(const std::string& name, std::shared_ptr<ModelHook> hook) {
  if (!hook) throw std::invalid_argument("register_hook('" + name + "'): null hook");
  if (hooks_.count(name))
    throw std::invalid_argument(module_.class_name() + " already has a hook named '" + name + "'");
  if (hook->overrides_forward() && !forward_override_.empty())
    throw std::invalid_argument(module_.class_name() + ": hook '" + name + "' overrides the forward, but hook '" +
                                forward_override_ + "' already does; only one hook may replace a module's forward");
  hook->initialize(module_);
  if (hook->overrides_forward()) forward_override_ = name;
  hooks_.emplace(name, std::move(hook));
}

bool HookRegistry::remove_hook(const std::string& name) {
  const auto it = hooks_.find(name);
  if (it == hooks_.end()) return false;
  if (name == forward_override_) forward_override_.clear();
  hooks_.erase(it);
  return true;
}

ModelHook* HookRegistry::get_hook(const std::string& name) const {
  const auto it = hooks_.find(name);
  return it == hooks_.end() ? nullptr : it->second.get();
}

void HookRegistry::reset_hook(const std::string& name) {
  ModelHook* hook = get_hook(name);
  if (!hook) throw std::invalid_argument(module_.class_name() + " has no hook named '" + name + "'");
  hook->reset_state(module_);
}

void HookRegistry::reset() {
  for (auto& [name, hook] : hooks_)
    hook->reset_state(module_);
  hooks_.clear();
  forward_override_.clear();
}

std::vector<std::string> HookRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, hook] : hooks_)
    out.push_back(name);
  return out;
}

Value HookRegistry::dispatch(Args args) {
  // Hooks may be added or removed while one runs; iterate over a snapshot.
  std::vector<std::shared_ptr<ModelHook>> ordered;
  ordered.reserve(hooks_.size());
  for (const auto& [name, hook] : hooks_)
    ordered.push_back(hook);
  ModelHook* override_hook = forward_override_.empty() ? nullptr : get_hook(forward_override_);

  for (const auto& hook : ordered)
    hook->pre_forward(module_, args);
  Value out = override_hook ? override_hook->new_forward(module_, args) : module_.call_original(std::move(args));
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it)
    out = (*it)->post_forward(module_, std::move(out));
  return out;
}

}  // namespace spstudio::sp
