// SPDX-License-Identifier: Apache-2.0
#include "sp/apply_plan.h"

#include <torch/nn/modules/container/moduledict.h>
#include <torch/nn/modules/container/modulelist.h>

#include <stdexcept>

#include "common/issues.h"
#include "common/module_paths.h"
#include "common/plan_validation.h"
#include "sp/hooks/sp_hooks.h"

namespace spstudio::sp {
namespace {

void describe_into(const torch::nn::Module& module, ModuleNode& node) {
  node.class_name = module.name();
  if (dynamic_cast<const torch::nn::ModuleListImpl*>(&module)) node.kind = ModuleKind::List;
  if (dynamic_cast<const torch::nn::ModuleDictImpl*>(&module)) node.kind = ModuleKind::Dict;
  if (const auto* h = dynamic_cast<const HookableModule*>(&module)) {
    node.hookable = true;
    node.signature = h->signature().names();
    h->describe(node);
  }
  if (const auto* p = dynamic_cast<const SpParticipant*>(&module)) p->describe(node);
  for (const auto& item : module.named_children()) {
    ModuleNode child;
    child.name = item.key();
    describe_into(*item.value(), child);
    node.children.push_back(std::move(child));
  }
}

HookableModule& hookable_at(HookableModule& model, const std::string& path) {
  torch::nn::Module* m = find_submodule(model, path);
  auto* h = m ? dynamic_cast<HookableModule*>(m) : nullptr;
  if (!h) throw std::logic_error("module " + describe_plan_key(path) + " is not hookable");
  return *h;
}

SpForwardGuardHook* guard_of(const HookableModule& model) {
  HookRegistry* registry = model.hook_registry();
  return registry ? dynamic_cast<SpForwardGuardHook*>(registry->get_hook(kSpGuardHookName)) : nullptr;
}

SpContext& require_context(const HookableModule& model) {
  SpForwardGuardHook* guard = guard_of(model);
  if (!guard) throw std::logic_error("no sequence-parallel plan is applied to " + model.class_name());
  return *guard->context();
}

}  // namespace

ModuleNode describe_module_tree(const torch::nn::Module& model) {
  ModuleNode root;
  describe_into(model, root);
  return root;
}

torch::nn::Module* find_submodule(torch::nn::Module& model, const std::string& path) {
  torch::nn::Module* node = &model;
  std::string::size_type start = 0;
  while (!path.empty() && start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string atom = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    torch::nn::Module* next = nullptr;
    for (const auto& item : node->named_children())
      if (item.key() == atom) next = item.value().get();
    if (!next) return nullptr;
    node = next;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node;
}

void attach_sp_context(torch::nn::Module& model, const SpContextPtr& context) {
  if (auto* p = dynamic_cast<SpParticipant*>(&model)) p->set_sp_context(context);
  for (const auto& item : model.named_children())
    attach_sp_context(*item.value(), context);
}

void apply_sequence_parallel(HookableModule& model, const SequenceParallelPlan& plan, SpContextPtr context) {
  if (!context) throw std::invalid_argument("apply_sequence_parallel: no SP context");
  if (guard_of(model))
    throw std::logic_error("a sequence-parallel plan is already applied to " + model.class_name() +
                           "; remove it first");
  const ModuleNode tree = describe_module_tree(model);
  require_valid_plan(plan, &tree, {context->config(), context->world_size()});

  // Resolve everything before registering anything, so a failure leaves the model untouched.
  struct Pending {
    HookableModule* module;
    std::string name;
    std::shared_ptr<ModelHook> hook;
  };
  std::vector<Pending> pending;
  for (const PlanEntry& e : plan.entries) {
    for (const std::string& path : resolve_module_path(tree, e.key)) {
      HookableModule& m = hookable_at(model, path);
      if (!e.splits.empty())
        pending.push_back(
            {&m, split_hook_name(e.key), std::make_shared<SequenceParallelSplitHook>(e.key, e.splits, context)});
      if (e.gather)
        pending.push_back(
            {&m, gather_hook_name(e.key), std::make_shared<SequenceParallelGatherHook>(e.key, *e.gather, context)});
    }
  }
  std::vector<std::pair<HookableModule*, std::string>> registered;
  try {
    for (Pending& p : pending) {
      p.module->hooks().register_hook(p.name, p.hook);
      registered.emplace_back(p.module, p.name);
    }
    model.hooks().register_hook(kSpGuardHookName, std::make_shared<SpForwardGuardHook>(context));
  } catch (...) {
    for (auto& [m, name] : registered)
      m->hooks().remove_hook(name);
    throw;
  }
  attach_sp_context(model, context);
}

void remove_sequence_parallel(HookableModule& model, const SequenceParallelPlan& plan) {
  const ModuleNode tree = describe_module_tree(model);
  for (const PlanEntry& e : plan.entries) {
    for (const std::string& path : resolve_module_path(tree, e.key)) {
      HookableModule& m = hookable_at(model, path);
      if (HookRegistry* r = m.hook_registry()) {
        r->remove_hook(split_hook_name(e.key));
        r->remove_hook(gather_hook_name(e.key));
      }
    }
  }
  if (HookRegistry* r = model.hook_registry()) r->remove_hook(kSpGuardHookName);
  attach_sp_context(model, nullptr);
}

void disable_sequence_parallel(HookableModule& model) {
  require_context(model).set_enabled(false);
}
void enable_sequence_parallel(HookableModule& model) {
  require_context(model).set_enabled(true);
}

SpContextPtr applied_sp_context(const HookableModule& model) {
  SpForwardGuardHook* guard = guard_of(model);
  return guard ? guard->context() : nullptr;
}

}  // namespace spstudio::sp
