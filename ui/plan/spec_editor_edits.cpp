// SPDX-License-Identifier: Apache-2.0
// SpecEditor's edits: the form read back into specs, and each change, Add and Remove turned into
// one PlanEdit.
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <algorithm>

#include "ui/plan/spec_editor.h"

namespace spstudio::ui {
namespace {

/// A list value grown with null elements to the argument's recorded length.
SplitValue padded_list(SplitValue value, int length) {
  auto* list = std::get_if<std::vector<std::optional<SplitSpec>>>(&value);
  if (list && static_cast<int>(list->size()) < length) list->resize(static_cast<std::size_t>(length));
  return value;
}

}  // namespace

SplitSpec SpecEditor::formSplitSpec(bool output_side) const {
  const std::optional<int> expected =
      has_expected_dims_->isChecked() ? std::optional<int>(expected_dims_->value()) : std::nullopt;
  const auto mode = static_cast<TextLenMode>(text_len_mode_->currentData().toInt());
  if (mode != TextLenMode::None) {
    SequenceParallelPartialInput partial;
    partial.split_dim = dim_->value();
    partial.expected_dims = expected;
    partial.split_output = output_side;
    if (mode == TextLenMode::Integer)
      partial.text_len = std::int64_t{text_len_->value()};
    else
      partial.text_len = text_len_parameter_->currentData().toString().toStdString();
    return partial;
  }
  SequenceParallelInput full;
  full.split_dim = dim_->value();
  full.expected_dims = expected;
  full.split_output = output_side;
  full.auto_pad = auto_pad_->isChecked();
  if (!shard_group_->text().isEmpty()) full.shard_group = shard_group_->text().toStdString();
  return full;
}

SequenceParallelOutput SpecEditor::formGatherSpec() const {
  SequenceParallelOutput out;
  out.gather_dim = dim_->value();
  if (has_expected_dims_->isChecked()) out.expected_dims = expected_dims_->value();
  if (!shard_group_->text().isEmpty()) out.shard_group = shard_group_->text().toStdString();
  return out;
}

void SpecEditor::kindEdited() {
  if (updating_) return;
  const std::optional<SpecRow> row = currentSpec();
  if (!row) return;
  // A new kind: pick the first key of that kind the entry does not use yet.
  updating_ = true;
  const SpecKind kind = formKind();
  refillKeys(kind, std::nullopt);
  for (int i = 0; i < key_->count(); ++i) {
    const QVariant item_data = key_->itemData(i);
    const bool used = kind == SpecKind::Gather
                          ? find_gather(plan_, row->entry_key, item_data.toInt()) != nullptr
                          : find_split(plan_, row->entry_key, SpecId{kind, keyFrom(item_data), 0}) != nullptr;
    if (!used) {
      key_->setCurrentIndex(i);
      break;
    }
  }
  updating_ = false;
  updateEnabled();
  formEdited();
}

void SpecEditor::formEdited() {
  if (updating_) return;
  updateEnabled();
  const std::optional<SpecRow> row = currentSpec();
  if (!row || key_->currentIndex() < 0) return;
  const SpecKind kind = formKind();
  PlanEdit edit;
  edit.entry_key = row->entry_key;
  edit.target = row->id;
  int element = -1;
  if (kind == SpecKind::Gather) {
    edit.id = SpecId::gather(key_->currentData().toInt());
    edit.gather = formGatherSpec();
  } else {
    const InputKey key = keyFrom(key_->currentData());
    const QVariant element_data = key_->currentData(kElementRole);
    element = kind == SpecKind::Split && element_data.isValid() ? element_data.toInt() : -1;
    edit.id = SpecId{kind, key, 0};
    const SplitSpec spec = formSplitSpec(kind == SpecKind::SplitOutput);
    if (element < 0) {
      edit.split = spec;
    } else {
      // A list element: the whole list is the value. Moving within the list leaves its old slot null.
      SplitValue base = std::vector<std::optional<SplitSpec>>{};
      if (const InputSplit* current = find_split(plan_, row->entry_key, *edit.id)) base = current->value;
      if (row->id == *edit.id && row->element >= 0) base = with_list_element(base, row->element, std::nullopt);
      base = with_list_element(base, element, spec);
      if (const std::string* name = key.as_name()) base = padded_list(std::move(base), listLength(*name));
      edit.split = base;
    }
  }
  pending_ = std::make_pair(row->entry_key, *edit.id);
  pending_element_ = element;
  emitEdit(std::move(edit));
}

void SpecEditor::addSpec() {
  if (entry_->count() == 0) return;
  const std::string entry = entry_->currentData().toString().toStdString();
  PlanEdit edit;
  edit.entry_key = entry;
  SequenceParallelInput spec;
  spec.split_dim = 1;
  int element = -1;
  for (const std::string& name : node_.signature) {
    if (find_split(plan_, entry, SpecId::split(name))) continue;
    edit.id = SpecId::split(name);
    const int length = listLength(name);
    if (length > 0) {
      element = 0;
      SplitValue list = std::vector<std::optional<SplitSpec>>(static_cast<std::size_t>(length));
      edit.split = with_list_element(list, 0, SplitSpec{spec});
    } else {
      edit.split = SplitSpec{spec};
    }
    break;
  }
  if (!edit.id) {  // every parameter is split already: gather the first output not gathered yet
    int index = 0;
    while (find_gather(plan_, entry, index))
      ++index;
    edit.id = SpecId::gather(index);
    edit.gather = SequenceParallelOutput{1, std::nullopt, std::nullopt};
  }
  pending_ = std::make_pair(entry, *edit.id);
  pending_element_ = element;
  emitEdit(std::move(edit));
}

void SpecEditor::removeSpec() {
  const std::optional<SpecRow> row = currentSpec();
  if (!row) return;
  PlanEdit edit;
  edit.entry_key = row->entry_key;
  edit.target = row->id;
  if (row->element >= 0) {
    if (const InputSplit* current = find_split(plan_, row->entry_key, row->id)) {
      const SplitValue rest = with_list_element(current->value, row->element, std::nullopt);
      const auto& list = std::get<std::vector<std::optional<SplitSpec>>>(rest);
      if (std::any_of(list.begin(), list.end(), [](const auto& s) { return s.has_value(); })) {
        edit.id = row->id;
        edit.split = rest;
      }
    }
  }
  emitEdit(std::move(edit));
}

void SpecEditor::emitEdit(PlanEdit edit) {
  emit editRequested(std::move(edit));
}

}  // namespace spstudio::ui
