// SPDX-License-Identifier: Apache-2.0
#include "sp/record_shapes.h"

#include <map>
#include <memory>

#include "sp/apply_plan.h"

namespace spstudio::sp {
namespace {

constexpr const char* kRecorderHook = "~shape_recorder";  // '~' sorts after every plan hook name

struct Recorded {
  std::vector<std::pair<std::string, ValueShape>> inputs;
  std::optional<ValueShape> output;
};

class ShapeRecorderHook : public ModelHook {
 public:
  explicit ShapeRecorderHook(Recorded& slot) : slot_(slot) {}

  void pre_forward(HookableModule& module, Args& args) override {
    if (seen_inputs_) return;  // the first call describes the module (blocks in a list repeat it)
    seen_inputs_ = true;
    for (const std::string& name : module.signature().names()) {
      const Value* v = module.signature().find(args, name);
      slot_.inputs.emplace_back(name, v ? shape_of(*v) : ValueShape::none());
    }
  }
  Value post_forward(HookableModule&, Value output) override {
    if (!slot_.output) slot_.output = shape_of(output);
    return output;
  }

 private:
  Recorded& slot_;
  bool seen_inputs_ = false;
};

ModuleNode* node_at(ModuleNode& root, const std::string& path) {
  ModuleNode* node = &root;
  std::size_t begin = 0;
  while (node && begin < path.size()) {
    const std::size_t end = std::min(path.find('.', begin), path.size());
    const std::string segment = path.substr(begin, end - begin);
    ModuleNode* next = nullptr;
    for (ModuleNode& child : node->children)
      if (child.name == segment) next = &child;
    node = next;
    begin = end + 1;
  }
  return node;
}

}  // namespace

ValueShape shape_of(const Value& value) {
  if (value.isNone()) return ValueShape::none();
  if (value.isTensor()) {
    const at::Tensor& t = value.toTensor();
    if (!t.defined()) return ValueShape::none();
    return ValueShape::tensor(t.sizes().vec());
  }
  if (value.isInt()) return ValueShape::integer(value.toInt());
  if (value.isTuple() || value.isList()) {
    std::vector<ValueShape> items;
    if (value.isTuple())
      for (const Value& v : value.toTupleRef().elements())
        items.push_back(shape_of(v));
    else
      for (const Value& v : value.toListRef())
        items.push_back(shape_of(v));
    return ValueShape::list(std::move(items));
  }
  ValueShape other;
  other.kind = ValueShape::Kind::Other;
  other.type_name = value_type_name(value);
  return other;
}

ModelManifest record_manifest(HookableModule& model, Args example, std::optional<std::pair<int, int>> resolution) {
  std::map<std::string, Recorded> recorded;
  std::vector<HookableModule*> hooked;
  for (const auto& item : model.named_modules("", /*include_self=*/true)) {
    auto* module = dynamic_cast<HookableModule*>(item.value().get());
    if (!module) continue;
    module->hooks().register_hook(kRecorderHook, std::make_shared<ShapeRecorderHook>(recorded[item.key()]));
    hooked.push_back(module);
  }
  struct Cleanup {
    std::vector<HookableModule*>& modules;
    ~Cleanup() {
      for (HookableModule* m : modules)
        m->hooks().remove_hook(kRecorderHook);
    }
  } cleanup{hooked};
  {
    at::NoGradGuard no_grad;
    model.call(std::move(example));
  }

  ModelManifest manifest;
  manifest.model = model.class_name();
  manifest.resolution = resolution;
  manifest.root = describe_module_tree(model);
  for (auto& [path, r] : recorded) {
    if (ModuleNode* node = node_at(manifest.root, path)) {
      node->inputs = std::move(r.inputs);
      node->output = std::move(r.output);
    }
  }
  return manifest;
}

}  // namespace spstudio::sp
