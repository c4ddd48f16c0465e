// SPDX-License-Identifier: Apache-2.0
// Hooks that intercept a hookable module's calls (SP_SEMANTICS.md §1). Dispatch order:
//   every pre_forward in name order (lexicographic) → the one hook that overrides the forward,
//   else the module's own forward → every post_forward in reverse name order.
// A second forward-overriding hook is refused at registration.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sp/hooks/args.h"

namespace spstudio::sp {

class HookableModule;

class ModelHook {
 public:
  virtual ~ModelHook() = default;

  /// Called once when the hook is registered on `module`.
  virtual void initialize(HookableModule& module);
  /// May rewrite the arguments in place.
  virtual void pre_forward(HookableModule& module, Args& args);
  /// True for the (at most one) hook whose new_forward replaces the module's forward.
  virtual bool overrides_forward() const { return false; }
  virtual Value new_forward(HookableModule& module, Args& args);
  virtual Value post_forward(HookableModule& module, Value output);
  /// Drops per-call or cached state (reset_hook / reset).
  virtual void reset_state(HookableModule& module);
};

class HookRegistry {
 public:
  explicit HookRegistry(HookableModule& module) : module_(module) {}
  HookRegistry(const HookRegistry&) = delete;
  HookRegistry& operator=(const HookRegistry&) = delete;

  /// Calls hook->initialize(module). Throws std::invalid_argument for a duplicate name or a
  /// second forward-overriding hook.
  void register_hook(const std::string& name, std::shared_ptr<ModelHook> hook);
  /// False when no hook has that name.
  bool remove_hook(const std::string& name);
  ModelHook* get_hook(const std::string& name) const;
  /// reset_state() of one hook; throws std::invalid_argument for an unknown name.
  void reset_hook(const std::string& name);
  /// reset_state() of every hook, then drops them all: the module runs its plain forward again.
  void reset();

  bool empty() const { return hooks_.empty(); }
  std::vector<std::string> names() const;  ///< in dispatch (name) order

  Value dispatch(Args args);

 private:
  HookableModule& module_;
  std::map<std::string, std::shared_ptr<ModelHook>> hooks_;  // std::map keeps name order
  std::string forward_override_;                             // name of the overriding hook, if any
};

}  // namespace spstudio::sp
