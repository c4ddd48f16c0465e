// SPDX-License-Identifier: Apache-2.0
#include "sp/hooks/sp_hooks.h"

#include <set>

#include "common/profiling/range_names.h"
#include "sp/errors.h"
#include "sp/hooks/hookable_module.h"
#include "sp/profiling/scoped_range.h"
#include "sp/sharding.h"

namespace spstudio::sp {
namespace {

/// A value seen as a sequence of elements: a bare tensor is element 0 of itself.
struct Elements {
  enum class Kind { Bare, Tuple, TensorList, List } kind = Kind::Bare;
  std::vector<Value> items;
};

std::optional<Elements> unpack(const Value& v) {
  Elements e;
  if (v.isTensor()) {
    e.kind = Elements::Kind::Bare;
    e.items = {v};
  } else if (v.isTuple()) {
    e.kind = Elements::Kind::Tuple;
    e.items = v.toTupleRef().elements().vec();
  } else if (v.isTensorList()) {
    e.kind = Elements::Kind::TensorList;
    for (const at::Tensor& t : v.toTensorVector())
      e.items.emplace_back(t);
  } else if (v.isList()) {
    e.kind = Elements::Kind::List;
    e.items = v.toListRef().vec();
  } else {
    return std::nullopt;
  }
  return e;
}

Value repack(Elements e) {
  switch (e.kind) {
    case Elements::Kind::Bare:
      return e.items.at(0);
    case Elements::Kind::Tuple:
      return make_tuple(std::move(e.items));
    case Elements::Kind::TensorList: {
      std::vector<at::Tensor> tensors;
      for (const Value& v : e.items)
        tensors.push_back(v.toTensor());
      return Value(tensors);
    }
    case Elements::Kind::List: {
      c10::impl::GenericList list(c10::AnyType::get());
      for (Value& v : e.items)
        list.push_back(std::move(v));
      return Value(list);
    }
  }
  return {};
}

std::string sp_size_text(const ParallelConfig& c) {
  return std::to_string(c.sp_size()) + " (ulysses " + std::to_string(c.ulysses_degree) + " × ring " +
         std::to_string(c.ring_degree) + ")";
}

std::int64_t text_length_from(const Value& v, const std::string& source, const std::string& where) {
  if (v.isTensor()) {
    const at::Tensor t = v.toTensor();
    if (t.dim() == 0) throw SequenceParallelError(where + ": text_len source '" + source + "' is a 0-d tensor");
    return t.size(0);
  }
  if (v.isInt()) return v.toInt();
  throw SequenceParallelError(where + ": text_len source '" + source + "' is " + value_type_name(v) +
                              "; it must be a tensor (its size along dim 0 is the text length) or an int");
}

}  // namespace

// ---- split -----------------------------------------------------------------------------------

SequenceParallelSplitHook::SequenceParallelSplitHook(std::string plan_key, std::vector<InputSplit> splits,
                                                     SpContextPtr context)
    : key_(std::move(plan_key)), splits_(std::move(splits)), context_(std::move(context)) {}

void SequenceParallelSplitHook::initialize(HookableModule& module) {
  for (const InputSplit& s : splits_) {
    if (const std::string* name = s.key.as_name()) module.signature().require(*name);
  }
}

void SequenceParallelSplitHook::reset_state(HookableModule&) {
  text_lengths_.clear();
}

std::string SequenceParallelSplitHook::where(const HookableModule& module, const std::string& what) const {
  return "plan entry " + describe_plan_key(key_) + ", " + what + " of " + module.class_name();
}

at::Tensor SequenceParallelSplitHook::prepare(const at::Tensor& x, const SplitSpec& spec, const std::string& location,
                                              std::int64_t text_len) {
  if (auto ed = expected_dims(spec); ed && *ed != x.dim()) return x;
  const std::int64_t dim = normalize_dim(split_dim(spec), x.dim(), location);
  const std::int64_t size = x.size(dim);
  if (size == 0) return x;
  const int world = context_->world_size(), rank = context_->rank();
  const ParallelConfig& config = context_->config();

  if (is_partial(spec)) {
    if (text_len > size)
      throw SequenceParallelError(location + ": text_len " + std::to_string(text_len) + " exceeds the length " +
                                  std::to_string(size) + " of dim " + std::to_string(dim));
    const std::int64_t image = size - text_len;
    if (image % world != 0 || image < world)
      throw SequenceParallelError(location + ": image length " + std::to_string(image) + " (after " +
                                  std::to_string(text_len) + " text rows) on dim " + std::to_string(dim) +
                                  " is not divisible by the sequence-parallel size " + sp_size_text(config) +
                                  "; SP sizes that divide it: " + divisors_text(image, 64));
    if (world == 1) return x;
    return at::cat({x.narrow(dim, 0, text_len), sp_shard(x.narrow(dim, text_len, image), dim, rank, world)}, dim);
  }

  if (auto_pad(spec)) {
    const std::string group = shard_group(spec).value_or(kDefaultShardGroup);
    const std::int64_t padded = (size + world - 1) / world * world;
    context_->record_padding(group, {size, padded, location});
    if (padded != size && config.ring_degree > 1)
      throw SequenceParallelError(location + ": sequence length " + std::to_string(size) + " on dim " +
                                  std::to_string(dim) + " is not divisible by " + sp_size_text(config) +
                                  " and ring attention cannot mask the padding auto_pad would add; use ring_degree 1 "
                                  "(Ulysses pads and masks), or SP sizes that divide it: " +
                                  divisors_text(size, 64));
    return sp_shard_with_padding(x, dim, rank, world).shard;
  }

  if (size % world != 0 || size < world)
    throw SequenceParallelError(location + ": sequence length " + std::to_string(size) + " on dim " +
                                std::to_string(dim) + " of a tensor of shape " + c10::str(x.sizes()) +
                                " is not divisible by the sequence-parallel size " + sp_size_text(config) +
                                " (strict mode); SP sizes that divide it: " + divisors_text(size, 64) +
                                (config.ring_degree == 1 ? "; or set auto_pad on this split to pad and mask" : ""));
  return sp_shard(x, dim, rank, world);
}

Value SequenceParallelSplitHook::split_argument(HookableModule& module, const Value& value, const InputSplit& split,
                                                std::size_t index, bool& sharded) {
  const std::string name = split.key.to_string();
  if (const auto* one = std::get_if<SplitSpec>(&split.value)) {
    if (!value.isTensor())
      throw SequenceParallelError(where(module, "split." + name) + ": the argument is a " + value_type_name(value) +
                                  "; a single spec needs a tensor (a list argument takes a list of specs)");
    const auto len = text_lengths_.find({index, -1});
    sharded = true;
    return prepare(value.toTensor(), *one, where(module, "split." + name),
                   len == text_lengths_.end() ? 0 : len->second);
  }
  const auto& specs = std::get<std::vector<std::optional<SplitSpec>>>(split.value);
  std::optional<Elements> elements = unpack(value);
  if (!elements || elements->kind == Elements::Kind::Bare)
    throw SequenceParallelError(where(module, "split." + name) +
                                ": the plan gives a list of specs but the argument is a " + value_type_name(value));
  if (elements->items.size() != specs.size())
    throw SequenceParallelError(where(module, "split." + name) + ": the argument has " +
                                std::to_string(elements->items.size()) + " elements but the plan gives " +
                                std::to_string(specs.size()) + " specs");
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Value& item = elements->items[i];
    if (!specs[i] || item.isNone()) continue;
    const std::string location = where(module, "split." + name + "[" + std::to_string(i) + "]");
    if (!item.isTensor())
      throw SequenceParallelError(location + ": element is a " + value_type_name(item) + ", not a tensor");
    const auto len = text_lengths_.find({index, static_cast<int>(i)});
    item = prepare(item.toTensor(), *specs[i], location, len == text_lengths_.end() ? 0 : len->second);
    sharded = true;
  }
  return repack(std::move(*elements));
}

void SequenceParallelSplitHook::pre_forward(HookableModule& module, Args& args) {
  text_lengths_.clear();
  if (!context_->enabled()) return;
  const ScopedRange range(range_names::kShard);

  // Resolve text lengths of partial specs now: post_forward does not see the arguments.
  for (std::size_t i = 0; i < splits_.size(); ++i) {
    auto resolve = [&](const SplitSpec& spec, int element) {
      const auto* partial = std::get_if<SequenceParallelPartialInput>(&spec);
      if (!partial) return;
      std::int64_t len = 0;
      if (const auto* n = std::get_if<std::int64_t>(&partial->text_len)) {
        len = *n;
      } else {
        const std::string& source = std::get<std::string>(partial->text_len);
        const Value* v = module.signature().find(args, source);
        const std::string location = where(module, "text_len");
        if (!v || v->isNone())
          throw SequenceParallelError(location + ": text_len source '" + source + "' was not passed (None)");
        len = text_length_from(*v, source, location);
      }
      text_lengths_[{i, element}] = len;
    };
    if (const auto* one = std::get_if<SplitSpec>(&splits_[i].value)) {
      resolve(*one, -1);
    } else {
      const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(splits_[i].value);
      for (std::size_t e = 0; e < list.size(); ++e)
        if (list[e]) resolve(*list[e], static_cast<int>(e));
    }
  }

  std::string opened;
  for (std::size_t i = 0; i < splits_.size(); ++i) {
    const InputSplit& s = splits_[i];
    const std::string* name = s.key.as_name();
    if (!name) continue;  // output indices are handled after the forward
    Value* v = module.signature().find(args, *name);
    if (!v || v->isNone()) continue;  // not passed: the entry is skipped
    bool sharded = false;
    *v = split_argument(module, *v, s, i, sharded);
    if (sharded) opened += (opened.empty() ? "" : ", ") + *name;
  }
  if (!opened.empty())
    context_->open_region("plan entry " + describe_plan_key(key_) + " (split " + opened + ")", current_call_depth());
}

Value SequenceParallelSplitHook::post_forward(HookableModule& module, Value output) {
  if (!context_->enabled()) return output;
  bool any = false;
  for (const InputSplit& s : splits_)
    any = any || s.key.is_index();
  if (!any) return output;
  const ScopedRange range(range_names::kShard);

  std::optional<Elements> elements = unpack(output);
  if (!elements)
    throw SequenceParallelError(where(module, "split_output") + ": the module returned a " + value_type_name(output) +
                                "; split_output needs a tensor or a tuple/list of tensors");
  std::string opened;
  for (std::size_t i = 0; i < splits_.size(); ++i) {
    const int* index = splits_[i].key.as_index();
    const auto* spec = std::get_if<SplitSpec>(&splits_[i].value);
    if (!index || !spec) continue;
    const std::string location = where(module, "split_output." + std::to_string(*index));
    if (*index < 0 || static_cast<std::size_t>(*index) >= elements->items.size())
      throw SequenceParallelError(location + ": the module returned " + std::to_string(elements->items.size()) +
                                  " output(s); index " + std::to_string(*index) + " is out of range");
    Value& item = elements->items[*index];
    if (item.isNone()) continue;
    if (!item.isTensor())
      throw SequenceParallelError(location + ": output is a " + value_type_name(item) + ", not a tensor");
    const auto len = text_lengths_.find({i, -1});
    item = prepare(item.toTensor(), *spec, location, len == text_lengths_.end() ? 0 : len->second);
    opened += (opened.empty() ? "" : ", ") + std::to_string(*index);
  }
  if (!opened.empty())
    context_->open_region("plan entry " + describe_plan_key(key_) + " (split_output " + opened + ")",
                          current_call_depth() - 1);
  return repack(std::move(*elements));
}

// ---- gather ----------------------------------------------------------------------------------

SequenceParallelGatherHook::SequenceParallelGatherHook(std::string plan_key,
                                                       std::vector<std::optional<SequenceParallelOutput>> specs,
                                                       SpContextPtr context)
    : key_(std::move(plan_key)), specs_(std::move(specs)), context_(std::move(context)) {}

Value SequenceParallelGatherHook::post_forward(HookableModule& module, Value output) {
  if (!context_->enabled()) return output;
  const ScopedRange range(range_names::kGather);
  const std::string location = "plan entry " + describe_plan_key(key_) + ", gather of " + module.class_name();
  std::optional<Elements> elements = unpack(output);
  if (!elements)
    throw SequenceParallelError(location + ": the module returned a " + value_type_name(output) +
                                "; a gather needs a tensor or a tuple/list of tensors");
  if (elements->items.size() != specs_.size())
    throw SequenceParallelError(location + ": the module returned " + std::to_string(elements->items.size()) +
                                " output(s) but the plan lists " + std::to_string(specs_.size()) + " gather spec(s)");
  std::set<std::string> trimmed_groups;
  bool gathered = false;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (!specs_[i]) continue;
    const SequenceParallelOutput& spec = *specs_[i];
    Value& item = elements->items[i];
    const std::string where = location + "[" + std::to_string(i) + "]";
    if (item.isNone()) continue;
    if (!item.isTensor())
      throw SequenceParallelError(where + ": output is a " + value_type_name(item) + ", not a tensor");
    at::Tensor t = item.toTensor();
    if (spec.expected_dims && *spec.expected_dims != t.dim()) continue;
    const std::int64_t dim = normalize_dim(spec.gather_dim, t.dim(), where);
    const std::string group = spec.shard_group.value_or(kDefaultShardGroup);
    const std::optional<PadRecord> record = context_->padding(group);
    if (spec.shard_group && !record)
      throw SequenceParallelError(where + ": the gather trims " + describe_shard_group(group) +
                                  ", but no auto_pad split recorded a length for it in this forward");
    t = sp_gather(context_->sp_group(), t, dim);
    if (record && t.size(dim) > record->original) t = t.narrow(dim, 0, record->original);
    if (record) trimmed_groups.insert(group);
    item = t;
    gathered = true;
  }
  // Cleared after the gather, so the next branch (e.g. the other half of CFG) may differ.
  for (const std::string& g : trimmed_groups)
    context_->clear_padding(g);
  if (gathered) context_->close_regions(current_call_depth() - 1);
  return repack(std::move(*elements));
}

// ---- guard -----------------------------------------------------------------------------------

void SpForwardGuardHook::pre_forward(HookableModule&, Args&) {
  context_->begin_forward();
}

Value SpForwardGuardHook::post_forward(HookableModule& module, Value output) {
  if (context_->enabled() && !context_->regions().empty()) {
    const std::string opened_by = context_->regions().front().opened_by;
    context_->begin_forward();  // nothing leaks into the next forward
    throw SequenceParallelError("the forward of " + module.class_name() + " returned while the SP region opened by " +
                                opened_by +
                                " was still open: no gather brought the sequence back together, so the result would "
                                "be sharded. Add a gather after the last sharded module (e.g. the output projection).");
  }
  return output;
}

}  // namespace spstudio::sp
