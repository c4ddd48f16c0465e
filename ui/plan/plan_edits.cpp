// SPDX-License-Identifier: Apache-2.0
// Edits of plan entries: splits, split_outputs and gather elements, in the order plan_to_json writes.
#include "ui/plan/plan_edits.h"

#include <algorithm>

#include "ui/plan/plan_markers.h"

namespace spstudio::ui {
namespace {

PlanEntry* find_entry(SequenceParallelPlan& plan, const std::string& key) {
  for (PlanEntry& e : plan.entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::optional<std::size_t> entry_position(const SequenceParallelPlan& plan, const std::string& key) {
  for (std::size_t i = 0; i < plan.entries.size(); ++i)
    if (plan.entries[i].key == key) return i;
  return std::nullopt;
}

PlanEntry& ensure_entry(SequenceParallelPlan& plan, const std::string& key) {
  if (PlanEntry* e = find_entry(plan, key)) return *e;
  plan.entries.push_back(PlanEntry{key, {}, std::nullopt});
  return plan.entries.back();
}

void remove_entry_if_empty(SequenceParallelPlan& plan, const std::string& key) {
  plan.entries.erase(std::remove_if(plan.entries.begin(), plan.entries.end(),
                                    [&](const PlanEntry& e) { return e.key == key && e.splits.empty() && !e.gather; }),
                     plan.entries.end());
}

bool value_is_output(const InputKey& key, const SplitValue& value) {
  return is_output_split(InputSplit{key, value});
}

std::vector<InputSplit>::iterator find_item(PlanEntry& e, const InputKey& key, bool output_side) {
  return std::find_if(e.splits.begin(), e.splits.end(),
                      [&](const InputSplit& s) { return s.key == key && is_output_split(s) == output_side; });
}

bool is_split_kind(SpecKind kind) {
  return kind != SpecKind::Gather;
}

/// Replaces the split at `target` with (key, value) where it stands, when both are on one side.
bool replace_split_in_place(SequenceParallelPlan& plan, const std::string& entry_key, const SpecId& target,
                            const InputKey& key, const SplitValue& value) {
  PlanEntry* e = find_entry(plan, entry_key);
  const bool output_side = target.kind == SpecKind::SplitOutput;
  if (!e || value_is_output(key, value) != output_side) return false;
  const auto it = find_item(*e, target.key, output_side);
  if (it == e->splits.end()) return false;
  *it = InputSplit{key, value};
  // A second item with the new key would be a duplicate: the replaced one wins.
  for (auto other = e->splits.begin(); other != e->splits.end(); ++other) {
    if (&*other != &*it && other->key == key && is_output_split(*other) == output_side) {
      e->splits.erase(other);
      break;
    }
  }
  return true;
}

std::string row_label(const std::string& text, const std::string& entry_key, const std::string& node_path) {
  return entry_key == node_path ? text : text + " via " + (entry_key.empty() ? std::string("(root)") : entry_key);
}

}  // namespace

bool SpecId::operator==(const SpecId& o) const {
  if (kind != o.kind) return false;
  return kind == SpecKind::Gather ? gather_index == o.gather_index : key == o.key;
}

void set_split(SequenceParallelPlan& plan, const std::string& entry_key, const InputKey& key, SplitValue value) {
  PlanEntry& e = ensure_entry(plan, entry_key);
  const bool output_side = value_is_output(key, value);
  if (const auto it = find_item(e, key, output_side); it != e.splits.end()) {
    it->value = std::move(value);
    return;
  }
  if (output_side) {
    e.splits.push_back({key, std::move(value)});
    return;
  }
  const auto first_output = std::find_if(e.splits.begin(), e.splits.end(), is_output_split);
  e.splits.insert(first_output, {key, std::move(value)});
}

bool remove_split(SequenceParallelPlan& plan, const std::string& entry_key, const InputKey& key, bool output_side) {
  PlanEntry* e = find_entry(plan, entry_key);
  if (!e) return false;
  const auto it = find_item(*e, key, output_side);
  if (it == e->splits.end()) return false;
  e->splits.erase(it);
  remove_entry_if_empty(plan, entry_key);
  return true;
}

void set_gather_element(SequenceParallelPlan& plan, const std::string& entry_key, int index,
                        std::optional<SequenceParallelOutput> spec) {
  if (index < 0) return;
  PlanEntry& e = ensure_entry(plan, entry_key);
  if (!e.gather) e.gather.emplace();
  if (e.gather->size() <= static_cast<std::size_t>(index)) e.gather->resize(static_cast<std::size_t>(index) + 1);
  (*e.gather)[static_cast<std::size_t>(index)] = std::move(spec);
}

bool remove_gather_element(SequenceParallelPlan& plan, const std::string& entry_key, int index) {
  PlanEntry* e = find_entry(plan, entry_key);
  if (!e || !e->gather || index < 0 || static_cast<std::size_t>(index) >= e->gather->size()) return false;
  auto& gather = *e->gather;
  gather[static_cast<std::size_t>(index)].reset();
  while (!gather.empty() && !gather.back())
    gather.pop_back();
  if (gather.empty()) e->gather.reset();
  remove_entry_if_empty(plan, entry_key);
  return true;
}

const InputSplit* find_split(const SequenceParallelPlan& plan, const std::string& entry_key, const SpecId& id) {
  const PlanEntry* e = plan.find(entry_key);
  if (!e || !is_split_kind(id.kind)) return nullptr;
  for (const InputSplit& s : e->splits)
    if (s.key == id.key && is_output_split(s) == (id.kind == SpecKind::SplitOutput)) return &s;
  return nullptr;
}

const SequenceParallelOutput* find_gather(const SequenceParallelPlan& plan, const std::string& entry_key, int index) {
  const PlanEntry* e = plan.find(entry_key);
  if (!e || !e->gather || index < 0 || static_cast<std::size_t>(index) >= e->gather->size()) return nullptr;
  const auto& element = (*e->gather)[static_cast<std::size_t>(index)];
  return element ? &*element : nullptr;
}

void apply_edit(SequenceParallelPlan& plan, const PlanEdit& edit) {
  const std::string& key = edit.entry_key;
  if (edit.target && edit.id && is_split_kind(edit.target->kind) && is_split_kind(edit.id->kind) &&
      replace_split_in_place(plan, key, *edit.target, edit.id->key, edit.split)) {
    return;
  }
  if (edit.target && edit.id && edit.target->kind == SpecKind::Gather && edit.id->kind == SpecKind::Gather &&
      edit.target->gather_index == edit.id->gather_index) {
    set_gather_element(plan, key, edit.id->gather_index, edit.gather);
    return;
  }
  if (edit.target && edit.id) {
    // A change of kind (split → gather, input → output side): remove, then add. The removal may
    // drop the entry and the addition re-create it at the end: it goes back to where it was.
    const std::optional<std::size_t> position = entry_position(plan, key);
    apply_edit(plan, PlanEdit{key, edit.target, std::nullopt, edit.split, edit.gather});
    apply_edit(plan, PlanEdit{key, std::nullopt, edit.id, edit.split, edit.gather});
    const std::optional<std::size_t> now = entry_position(plan, key);
    if (position && now && *now != *position) {
      PlanEntry moved = std::move(plan.entries[*now]);
      plan.entries.erase(plan.entries.begin() + static_cast<std::ptrdiff_t>(*now));
      plan.entries.insert(plan.entries.begin() + static_cast<std::ptrdiff_t>(*position), std::move(moved));
    }
    return;
  }
  if (edit.target) {
    if (is_split_kind(edit.target->kind))
      remove_split(plan, key, edit.target->key, edit.target->kind == SpecKind::SplitOutput);
    else
      remove_gather_element(plan, key, edit.target->gather_index);
    return;
  }
  if (!edit.id) return;
  if (is_split_kind(edit.id->kind))
    set_split(plan, key, edit.id->key, edit.split);
  else
    set_gather_element(plan, key, edit.id->gather_index, edit.gather);
}

std::vector<std::string> plan_keys_for(const ModuleNode& root, const std::string& path) {
  std::vector<std::string> keys{path};
  if (path.empty()) return keys;
  std::vector<std::string> atoms;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    atoms.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const ModuleNode* node = &root;
  for (std::size_t i = 0; i < atoms.size() && node; ++i) {
    if (node->kind == ModuleKind::List) {
      std::string key;
      for (std::size_t j = 0; j < atoms.size(); ++j)
        key += (j ? "." : "") + (j == i ? std::string("*") : atoms[j]);
      keys.push_back(key);
    }
    node = node->child(atoms[i]);
  }
  return keys;
}

SplitValue with_list_element(const SplitValue& value, int element, std::optional<SplitSpec> spec) {
  std::vector<std::optional<SplitSpec>> list;
  if (const auto* current = std::get_if<std::vector<std::optional<SplitSpec>>>(&value)) list = *current;
  if (element < 0) return list;
  if (list.size() <= static_cast<std::size_t>(element)) list.resize(static_cast<std::size_t>(element) + 1);
  list[static_cast<std::size_t>(element)] = std::move(spec);
  return list;
}

std::vector<SpecRow> spec_rows(const SequenceParallelPlan& plan, const std::vector<std::string>& entry_keys,
                               const std::string& node_path) {
  std::vector<SpecRow> rows;
  for (const PlanEntry& e : plan.entries) {
    if (std::find(entry_keys.begin(), entry_keys.end(), e.key) == entry_keys.end()) continue;
    for (const bool output_side : {false, true}) {
      for (const InputSplit& s : e.splits) {
        if (is_output_split(s) != output_side) continue;
        const SpecId id{output_side ? SpecKind::SplitOutput : SpecKind::Split, s.key, 0};
        const std::string head = (output_side ? "split_output " : "split ") + s.key.to_string();
        if (const auto* one = std::get_if<SplitSpec>(&s.value)) {
          const std::string kind = !output_side && is_partial(*one) ? "partial " + s.key.to_string() : head;
          rows.push_back(
              {e.key, id, -1, *one, row_label(kind + " (" + describe_split_spec(*one, true) + ")", e.key, node_path)});
          continue;
        }
        const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(s.value);
        for (std::size_t i = 0; i < list.size(); ++i) {
          if (!list[i]) continue;
          const std::string text = head + "[" + std::to_string(i) + "] (" + describe_split_spec(*list[i], true) + ")";
          rows.push_back({e.key, id, static_cast<int>(i), *list[i], row_label(text, e.key, node_path)});
        }
      }
    }
    if (!e.gather) continue;
    for (std::size_t i = 0; i < e.gather->size(); ++i) {
      const auto& g = (*e.gather)[i];
      if (!g) continue;
      const std::string text = "gather [" + std::to_string(i) + "] (" + describe_gather_spec(*g, true) + ")";
      rows.push_back({e.key, SpecId::gather(static_cast<int>(i)), -1, *g, row_label(text, e.key, node_path)});
    }
  }
  return rows;
}

}  // namespace spstudio::ui
