// SPDX-License-Identifier: Apache-2.0
#include "common/plan_validation.h"

#include <map>
#include <set>

#include "common/module_paths.h"

namespace spstudio {
namespace {

/// Position of each concrete module in execution (= registration) order, and the last position
/// inside its subtree, so "does A's exit come after B's entry" is two comparisons.
struct ModuleOrder {
  std::map<std::string, std::pair<int, int>> span;  // path -> (pre-order index, subtree end)

  explicit ModuleOrder(const ModuleNode& root) { visit(root, "", 0); }
  int visit(const ModuleNode& node, const std::string& path, int index) {
    int last = index;
    for (const ModuleNode& c : node.children)
      last = visit(c, join_module_path(path, c.name), last + 1);
    span[path] = {index, last};
    return last;
  }
  /// An input-side split at `split_at` happens on entry; a gather at `gather_at` on exit.
  bool gather_follows_input_split(const std::string& split_at, const std::string& gather_at) const {
    return span.at(gather_at).second >= span.at(split_at).first;
  }
  /// A split_output at `split_at` happens on its exit. The same module's gather runs first.
  bool gather_follows_output_split(const std::string& split_at, const std::string& gather_at) const {
    const auto [s_pre, s_end] = span.at(split_at);
    const auto [g_pre, g_end] = span.at(gather_at);
    const bool strict_ancestor = g_pre < s_pre && s_pre <= g_end;
    return strict_ancestor || g_pre > s_end;
  }
};

/// Calls fn(spec, field, list_index) for a single spec (list_index -1) or each non-null element
/// of a list spec; `field` is "split.<name>" / "split_output.<index>", with "[i]" for elements.
template <class Fn>
void for_each_spec(const InputSplit& s, const std::string& field, Fn&& fn) {
  if (const auto* one = std::get_if<SplitSpec>(&s.value)) {
    fn(*one, field, -1);
    return;
  }
  const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(s.value);
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i]) fn(*list[i], field + "[" + std::to_string(i) + "]", static_cast<int>(i));
}

bool is_output(const InputSplit& s) {
  const auto* one = std::get_if<SplitSpec>(&s.value);
  return one && split_output(*one);
}

std::string split_field(const InputSplit& s) {
  return (s.key.is_index() || is_output(s) ? "split_output." : "split.") + s.key.to_string();
}

struct SplitSite {
  std::string plan_key;
  std::string field;
  std::string module;
  bool output_side = false;
  bool padded = false;
  std::string group;  // auto_pad group ("" = default)
};

struct GatherSite {
  std::string module;
  std::set<std::string> groups;  // groups its specs trim ("" = default)
};

class Validator {
 public:
  Validator(const SequenceParallelPlan& plan, const ModuleNode* root, const PlanValidationOptions& o)
      : plan_(plan), root_(root), config_(o.config), world_(o.world_size.value_or(o.config.sp_size())) {
    for (const PlanEntry& e : plan_.entries)
      for (const InputSplit& s : e.splits)
        for_each_spec(s, "", [&](const SplitSpec& spec, const std::string&, int) {
          if (auto_pad(spec)) padded_groups_.insert(shard_group(spec).value_or(kDefaultShardGroup));
        });
  }

  std::vector<ValidationIssue> run() {
    check_config();
    for (const PlanEntry& e : plan_.entries)
      check_entry(e);
    check_shard_groups();
    check_gathers_follow_splits();
    check_heads();
    return std::move(issues_);
  }

 private:
  const SequenceParallelPlan& plan_;
  const ModuleNode* root_;
  ParallelConfig config_;
  int world_;
  std::vector<ValidationIssue> issues_;
  std::vector<SplitSite> splits_;
  std::vector<GatherSite> gathers_;
  std::set<std::string> padded_groups_;  // auto_pad groups some split records

  int p() const { return config_.sp_size(); }

  void error(std::optional<std::string> key, std::string field, std::optional<std::string> module, std::string message,
             std::string fix = {}) {
    issues_.push_back(
        {Severity::Error, std::move(key), std::move(field), std::move(module), std::move(message), std::move(fix)});
  }
  void warning(std::optional<std::string> key, std::string field, std::optional<std::string> module,
               std::string message, std::string fix = {}) {
    issues_.push_back(
        {Severity::Warning, std::move(key), std::move(field), std::move(module), std::move(message), std::move(fix)});
  }

  void check_config() {
    const std::string problem = check_parallel_config(config_, world_);
    if (problem.empty()) return;
    const bool degree_problem = config_.ulysses_degree < 1 || config_.ring_degree < 1;
    error(std::nullopt, degree_problem ? "ulysses_degree" : "world_size", std::nullopt, problem);
  }

  std::vector<std::string> resolve(const PlanEntry& e) {
    if (!root_) return {};
    try {
      std::vector<std::string> paths = resolve_module_path(*root_, e.key);
      if (paths.empty()) warning(e.key, "", std::nullopt, "the wildcard covers no modules (the ModuleList is empty)");
      return paths;
    } catch (const PathError& err) {
      error(e.key, "", std::nullopt, err.what());
      return {};
    }
  }

  void check_entry(const PlanEntry& e) {
    const std::vector<std::string> modules = resolve(e);
    if (e.splits.empty() && !e.gather)
      warning(e.key, "", std::nullopt, "the entry has no split, split_output or gather: it does nothing");
    for (const std::string& m : modules) {
      const ModuleNode& node = *find_module(*root_, m);
      if (!node.hookable)
        error(e.key, "", m,
              "module " + describe_plan_key(m) + " (" + node.class_name +
                  ") cannot carry SP hooks: it has no declared forward signature");
    }
    for (const InputSplit& s : e.splits)
      check_split(e, s, modules);
    if (e.gather) check_gather(e, *e.gather, modules);
  }

  // ---- splits ------------------------------------------------------------------------------

  void check_split(const PlanEntry& e, const InputSplit& s, const std::vector<std::string>& modules) {
    const bool index_key = s.key.is_index();
    const std::string field = split_field(s);
    if (index_key) {
      const auto* one = std::get_if<SplitSpec>(&s.value);
      if (!one) {
        error(e.key, field, std::nullopt, "output index " + s.key.to_string() + " takes one spec, not a list");
        return;
      }
      if (!split_output(*one)) {
        error(e.key, field, std::nullopt, "an integer key names an output element and needs split_output=true",
              "move it under \"split_output\"");
      }
      if (*s.key.as_index() < 0) error(e.key, field, std::nullopt, "an output index cannot be negative");
    } else if (is_output(s)) {
      error(e.key, field, std::nullopt,
            "split_output shards an output element, so its key must be an output index, not the name '" +
                s.key.to_string() + "'");
      return;
    }

    if (const auto* list = std::get_if<std::vector<std::optional<SplitSpec>>>(&s.value))
      for (const std::string& m : modules)
        check_list_argument(e, s, *list, field, m);
    for_each_spec(s, field, [&](const SplitSpec& spec, const std::string& location, int list_index) {
      if (list_index >= 0 && split_output(spec))
        error(e.key, location, std::nullopt, "a list parameter's element specs cannot use split_output");
      if (auto group = shard_group(spec)) {
        if (!auto_pad(spec))
          error(e.key, location + ".shard_group", std::nullopt,
                "shard_group '" + *group + "' requires auto_pad: only padded splits record a length to trim",
                "set \"auto_pad\": true or remove shard_group");
      }
      if (auto ed = expected_dims(spec); ed && *ed < 1)
        error(e.key, location + ".expected_dims", std::nullopt, "expected_dims must be at least 1");
      if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec)) {
        if (const auto* n = std::get_if<std::int64_t>(&partial->text_len); n && *n < 0)
          error(e.key, location + ".text_len", std::nullopt, "text_len cannot be negative");
      }
      if (auto_pad(spec) && config_.ring_degree > 1 && !root_has_shapes())
        warning(e.key, location + ".auto_pad", std::nullopt,
                "ring attention cannot mask padding: under ring_degree " + std::to_string(config_.ring_degree) +
                    " a sequence that does not divide by the SP size is refused at run time");
      for (const std::string& m : modules)
        check_split_on_module(e, s, spec, location, list_index, m);
      record_split(e, spec, location, modules, index_key || split_output(spec));
    });
  }

  bool root_has_shapes() const { return root_ && !root_->inputs.empty(); }

  void record_split(const PlanEntry& e, const SplitSpec& spec, const std::string& location,
                    const std::vector<std::string>& modules, bool output_side) {
    const std::string group = shard_group(spec).value_or(kDefaultShardGroup);
    for (const std::string& m : modules)
      splits_.push_back({e.key, location, m, output_side, auto_pad(spec), group});
    if (modules.empty() && !root_) splits_.push_back({e.key, location, "", output_side, auto_pad(spec), group});
  }

  void check_list_argument(const PlanEntry& e, const InputSplit& s, const std::vector<std::optional<SplitSpec>>& list,
                           const std::string& field, const std::string& module) {
    const ModuleNode& node = *find_module(*root_, module);
    const ValueShape* shape = s.key.as_name() ? node.input(*s.key.as_name()) : nullptr;
    if (!shape || shape->kind == ValueShape::Kind::None) return;
    if (shape->kind != ValueShape::Kind::List) {
      error(e.key, field, module,
            "'" + s.key.to_string() + "' is " + describe_shape(*shape) +
                ", not a list, but the plan gives a list of specs");
    } else if (shape->items.size() != list.size()) {
      error(e.key, field, module,
            "'" + s.key.to_string() + "' has " + std::to_string(shape->items.size()) + " elements but the plan gives " +
                std::to_string(list.size()) + " specs");
    }
  }

  void check_split_on_module(const PlanEntry& e, const InputSplit& s, const SplitSpec& spec,
                             const std::string& location, int list_index, const std::string& module) {
    const ModuleNode& node = *find_module(*root_, module);
    if (!node.hookable) return;  // already reported for the entry
    const ValueShape* shape = nullptr;
    if (const std::string* name = s.key.as_name()) {
      if (node.parameter_index(*name) < 0) {
        error(e.key, location, module,
              node.class_name + " has no forward parameter '" + *name + "' (parameters: " + join(node.signature) + ")");
        return;
      }
      shape = node.input(*name);
      if (shape && list_index >= 0) {
        // Whether the argument is a list of the right length is reported by check_list_argument.
        const bool usable =
            shape->kind == ValueShape::Kind::List && static_cast<std::size_t>(list_index) < shape->items.size();
        shape = usable ? &shape->items[list_index] : nullptr;
      }
    } else if (node.output) {
      const int index = *s.key.as_index();
      if (index < 0) return;  // reported for the entry
      const ValueShape& out = *node.output;
      const bool tuple = out.kind == ValueShape::Kind::List;
      const int count = tuple ? static_cast<int>(out.items.size()) : 1;
      if (index >= count) {
        error(e.key, location, module,
              node.class_name + " returns " + std::to_string(count) + " output(s); index " + std::to_string(index) +
                  " is out of range");
        return;
      }
      shape = tuple ? &out.items[index] : &out;
    }
    if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec)) {
      if (const auto* source = std::get_if<std::string>(&partial->text_len);
          source && node.parameter_index(*source) < 0) {
        error(e.key, location + ".text_len", module,
              "text_len names '" + *source + "', which is not a forward parameter of " + node.class_name +
                  " (parameters: " + join(node.signature) + ")");
        return;
      }
    }
    if (shape) check_split_shape(e, spec, location, module, node, *shape);
  }

  void check_split_shape(const PlanEntry& e, const SplitSpec& spec, const std::string& location,
                         const std::string& module, const ModuleNode& node, const ValueShape& shape) {
    if (shape.kind == ValueShape::Kind::None) return;  // not passed at this resolution: skipped
    if (shape.kind != ValueShape::Kind::Tensor) {
      error(e.key, location, module, "a split needs a tensor, but this is " + describe_shape(shape));
      return;
    }
    const int rank = static_cast<int>(shape.sizes.size());
    if (auto ed = expected_dims(spec); ed && *ed != rank) {
      warning(e.key, location + ".expected_dims", module,
              "expected_dims " + std::to_string(*ed) + " but the tensor is " + describe_shape(shape) +
                  ": the spec leaves it unsharded at this resolution");
      return;
    }
    int dim = split_dim(spec);
    if (dim < -rank || dim >= rank) {
      error(e.key, location + ".dim", module,
            "dim " + std::to_string(dim) + " is out of range for " + describe_shape(shape));
      return;
    }
    if (dim < 0) dim += rank;
    std::int64_t length = shape.sizes[dim];
    std::string what = "sequence length " + std::to_string(length);
    if (const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec)) {
      std::optional<std::int64_t> text;
      if (const auto* n = std::get_if<std::int64_t>(&partial->text_len)) {
        text = *n;
      } else if (const ValueShape* src = node.input(std::get<std::string>(partial->text_len))) {
        if (src->kind == ValueShape::Kind::Tensor && !src->sizes.empty()) text = src->sizes[0];
        if (src->kind == ValueShape::Kind::Int) text = src->value;
      }
      if (!text) return;
      if (*text > length) {
        error(e.key, location + ".text_len", module,
              "text_len " + std::to_string(*text) + " exceeds the tensor's length " + std::to_string(length));
        return;
      }
      length -= *text;
      what = "image length " + std::to_string(length) + " (after " + std::to_string(*text) + " text rows)";
    }
    if (p() < 1 || length == 0 || length % p() == 0) return;  // bad degrees are reported once
    const std::string p_text = std::to_string(p()) + " (ulysses " + std::to_string(config_.ulysses_degree) +
                               " × ring " + std::to_string(config_.ring_degree) + ")";
    const std::string sizes = "SP sizes that divide it: " + divisors_text(length, 64);
    if (!auto_pad(spec)) {
      error(e.key, location, module,
            what + " on dim " + std::to_string(dim) + " of " + describe_shape(shape) +
                " is not divisible by the sequence-parallel size " + p_text,
            is_partial(spec) ? sizes : sizes + (config_.ring_degree == 1 ? "; or set auto_pad" : ""));
    } else if (config_.ring_degree > 1) {
      error(e.key, location + ".auto_pad", module,
            what + " on dim " + std::to_string(dim) + " is not divisible by " + p_text +
                " and ring attention cannot mask the padding auto_pad would add",
            "use ring_degree 1 (Ulysses pads and masks), or a resolution or " + sizes);
    }
  }

  // ---- gathers -----------------------------------------------------------------------------

  void check_gather(const PlanEntry& e, const std::vector<std::optional<SequenceParallelOutput>>& specs,
                    const std::vector<std::string>& modules) {
    GatherSite site;
    if (specs.empty()) error(e.key, "gather", std::nullopt, "gather lists no outputs");
    bool any = false;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (!specs[i]) continue;
      any = true;
      const std::string location = "gather[" + std::to_string(i) + "]";
      const std::string group = specs[i]->shard_group.value_or(kDefaultShardGroup);
      site.groups.insert(group);
      if (specs[i]->shard_group && !padded_groups_.count(group))
        error(e.key, location + ".shard_group", std::nullopt,
              "gather names shard_group '" + group + "', which no auto_pad split records",
              "use the shard_group of the split whose padding this gather trims");
      if (specs[i]->expected_dims && *specs[i]->expected_dims < 1)
        error(e.key, location + ".expected_dims", std::nullopt, "expected_dims must be at least 1");
    }
    if (!specs.empty() && !any)
      warning(e.key, "gather", std::nullopt, "every gather spec is null: nothing is gathered");
    for (const std::string& m : modules) {
      const ModuleNode& node = *find_module(*root_, m);
      if (node.output) {
        const bool tuple = node.output->kind == ValueShape::Kind::List;
        const std::size_t count = tuple ? node.output->items.size() : 1;
        if (count != specs.size())
          error(e.key, "gather", m,
                node.class_name + " returns " + std::to_string(count) + " output(s) but the gather lists " +
                    std::to_string(specs.size()) + " spec(s): give one spec or null per output");
      }
      site.module = m;
      gathers_.push_back(site);
    }
    if (modules.empty() && !root_) gathers_.push_back(site);
  }

  // ---- whole-plan rules --------------------------------------------------------------------

  void check_shard_groups() {
    std::map<std::string, std::string> first_key;  // group -> plan key
    for (const PlanEntry& e : plan_.entries) {
      std::set<std::string> seen_here;
      auto visit = [&](const SplitSpec& spec, const std::string& location) {
        const auto group = shard_group(spec);
        if (!group || seen_here.count(*group)) return;
        seen_here.insert(*group);
        const auto [it, inserted] = first_key.emplace(*group, e.key);
        if (!inserted)
          error(e.key, location + ".shard_group", std::nullopt,
                "shard_group '" + *group + "' is already used at plan key " + describe_plan_key(it->second) +
                    ": a group belongs to one split boundary",
                "give this boundary its own shard_group");
      };
      for (const InputSplit& s : e.splits)
        for_each_spec(s, split_field(s),
                      [&](const SplitSpec& spec, const std::string& location, int) { visit(spec, location); });
    }
  }

  void check_gathers_follow_splits() {
    if (splits_.empty()) return;
    if (!root_) {
      if (gathers_.empty())
        error(splits_.front().plan_key, splits_.front().field, std::nullopt,
              "the plan shards tensors but never gathers: the model output would stay sharded",
              "add a gather, e.g. at the output projection");
      return;
    }
    const ModuleOrder order(*root_);
    std::set<std::pair<std::string, std::string>> reported;
    for (const SplitSite& s : splits_) {
      bool gathered = false, trimmed = !s.padded;
      for (const GatherSite& g : gathers_) {
        const bool follows = s.output_side ? order.gather_follows_output_split(s.module, g.module)
                                           : order.gather_follows_input_split(s.module, g.module);
        if (!follows) continue;
        gathered = true;
        trimmed = trimmed || g.groups.count(s.group) > 0;
      }
      // Once per plan field: a wildcard's elements share it. Only a problem counts as reported, so
      // an element left ungathered is named even when an earlier element is fine.
      if ((gathered && trimmed) || !reported.insert({s.plan_key, s.field}).second) continue;
      if (!gathered) {
        error(s.plan_key, s.field, s.module,
              "this shard has no later gather on the way to the model output: the output would stay sharded",
              "add a gather after it, e.g. at the output projection");
      } else if (!trimmed) {
        error(s.plan_key, s.field, s.module,
              "auto_pad pads in shard group " + (s.group.empty() ? std::string("(default)") : "'" + s.group + "'") +
                  " but no later gather of that group trims the padding",
              "give a later gather \"shard_group\": \"" + s.group + "\"");
      }
    }
  }

  void check_heads() {
    if (!root_ || config_.ulysses_degree <= 1 || plan_.entries.empty()) return;
    struct Found {
      std::string path;
      int heads;
      const char* which;
      int more = 0;
    };
    std::map<std::pair<int, std::string>, Found> bad;  // (heads, q|kv) -> first module
    for (const std::string& path : module_paths_in_order(*root_)) {
      const ModuleNode& node = *find_module(*root_, path);
      if (!node.attention || node.attention->skip_sequence_parallel) continue;
      for (auto [heads, which] : {std::pair<int, const char*>{node.attention->heads, "query"},
                                  std::pair<int, const char*>{node.attention->kv_heads, "key/value"}}) {
        if (heads % config_.ulysses_degree == 0) continue;
        auto [it, inserted] = bad.emplace(std::make_pair(heads, std::string(which)), Found{path, heads, which});
        if (!inserted) ++it->second.more;
      }
    }
    for (const auto& [k, f] : bad) {
      std::string message = "attention in " + describe_plan_key(f.path) + " has " + std::to_string(f.heads) + " " +
                            f.which + " heads, which ulysses_degree " + std::to_string(config_.ulysses_degree) +
                            " does not divide";
      if (f.more) message += " (the same in " + std::to_string(f.more) + " more attention modules)";
      error(std::nullopt, "ulysses_degree", f.path, message,
            "use ulysses_degree in {" + divisors_text(f.heads, f.heads) + "} and make up the rest with ring_degree");
    }
  }

  static std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
      out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? std::string("none") : out;
  }
};

}  // namespace

std::vector<ValidationIssue> validate_plan(const SequenceParallelPlan& plan, const ModuleNode* root,
                                           const PlanValidationOptions& options) {
  return Validator(plan, root, options).run();
}

void require_valid_plan(const SequenceParallelPlan& plan, const ModuleNode* root,
                        const PlanValidationOptions& options) {
  std::vector<ValidationIssue> issues = validate_plan(plan, root, options);
  if (has_errors(issues)) throw PlanError(std::move(issues));
}

}  // namespace spstudio
