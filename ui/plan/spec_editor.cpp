// SPDX-License-Identifier: Apache-2.0
// SpecEditor: the layout, the spec list and the form filled from the selected spec;
// spec_editor_edits.cpp turns changes into PlanEdits.
#include "ui/plan/spec_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

namespace spstudio::ui {
namespace {

constexpr int kUnknownOutputCount = 4;  // output indices offered when no output was recorded

QVariant data_of(const InputKey& key) {
  if (const int* i = key.as_index()) return *i;
  return QString::fromStdString(*key.as_name());
}

ModuleNode without_children(const ModuleNode& node) {
  ModuleNode copy;
  copy.name = node.name;
  copy.class_name = node.class_name;
  copy.kind = node.kind;
  copy.hookable = node.hookable;
  copy.signature = node.signature;
  copy.attention = node.attention;
  copy.inputs = node.inputs;
  copy.output = node.output;
  return copy;
}

}  // namespace

SpecEditor::SpecEditor(QWidget* parent)
    : QWidget(parent),
      list_(new QListWidget(this)),
      entry_(new QComboBox(this)),
      kind_(new QComboBox(this)),
      key_(new QComboBox(this)),
      dim_(new QSpinBox(this)),
      has_expected_dims_(new QCheckBox(tr("expected_dims"), this)),
      expected_dims_(new QSpinBox(this)),
      auto_pad_(new QCheckBox(tr("auto_pad"), this)),
      shard_group_(new QLineEdit(this)),
      text_len_mode_(new QComboBox(this)),
      text_len_(new QSpinBox(this)),
      text_len_parameter_(new QComboBox(this)),
      add_(new QPushButton(tr("Add"), this)),
      remove_(new QPushButton(tr("Remove"), this)) {
  list_->setObjectName(QStringLiteral("specList"));
  list_->setToolTip(tr("What the plan does at this module; select one to edit it"));
  entry_->setObjectName(QStringLiteral("specEntry"));
  entry_->setToolTip(tr("The plan key Add puts a new spec under: this module, or every element of a list (*)"));
  kind_->setObjectName(QStringLiteral("specKind"));
  kind_->addItem(tr("split (input)"), int(SpecKind::Split));
  kind_->addItem(tr("split_output"), int(SpecKind::SplitOutput));
  kind_->addItem(tr("gather"), int(SpecKind::Gather));
  key_->setObjectName(QStringLiteral("specKey"));
  key_->setToolTip(tr("A forward parameter (split) or an output index (split_output, gather)"));
  dim_->setObjectName(QStringLiteral("specDim"));
  dim_->setRange(-8, 8);
  dim_->setToolTip(tr("The dimension to split or gather along (negative counts from the end)"));
  has_expected_dims_->setObjectName(QStringLiteral("specHasExpectedDims"));
  has_expected_dims_->setToolTip(tr("Only touch tensors of this rank; others pass unchanged"));
  expected_dims_->setObjectName(QStringLiteral("specExpectedDims"));
  expected_dims_->setRange(1, 8);
  auto_pad_->setObjectName(QStringLiteral("specAutoPad"));
  auto_pad_->setToolTip(tr("Pad the split dimension to a multiple of the SP size; a later gather trims it"));
  shard_group_->setObjectName(QStringLiteral("specShardGroup"));
  shard_group_->setPlaceholderText(tr("(default group)"));
  shard_group_->setToolTip(tr("Names the padding record a later gather of the same group trims"));
  text_len_mode_->setObjectName(QStringLiteral("specTextLenMode"));
  text_len_mode_->addItem(tr("none (whole split)"), int(TextLenMode::None));
  text_len_mode_->addItem(tr("integer"), int(TextLenMode::Integer));
  text_len_mode_->addItem(tr("parameter"), int(TextLenMode::Parameter));
  text_len_mode_->setToolTip(tr("A partial split keeps the first text_len rows whole and splits the rest"));
  text_len_->setObjectName(QStringLiteral("specTextLen"));
  text_len_->setRange(0, std::numeric_limits<int>::max());
  text_len_parameter_->setObjectName(QStringLiteral("specTextLenParameter"));
  add_->setObjectName(QStringLiteral("specAdd"));
  add_->setToolTip(tr("Add a split on the first parameter the chosen plan key does not split yet"));
  remove_->setObjectName(QStringLiteral("specRemove"));

  auto* expected_row = new QHBoxLayout;
  expected_row->addWidget(has_expected_dims_);
  expected_row->addWidget(expected_dims_, 1);
  auto* text_len_row = new QHBoxLayout;
  text_len_row->addWidget(text_len_mode_);
  text_len_row->addWidget(text_len_, 1);
  text_len_row->addWidget(text_len_parameter_, 1);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(new QLabel(tr("Add to"), this));
  buttons->addWidget(entry_, 1);
  buttons->addWidget(add_);
  buttons->addWidget(remove_);
  auto* form = new QFormLayout;
  form->addRow(tr("Kind"), kind_);
  form->addRow(tr("Key"), key_);
  form->addRow(tr("Dim"), dim_);
  form->addRow(QString(), expected_row);
  form->addRow(QString(), auto_pad_);
  form->addRow(tr("Shard group"), shard_group_);
  form->addRow(tr("text_len"), text_len_row);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(list_, 1);
  layout->addLayout(buttons);
  layout->addLayout(form);

  connect(list_, &QListWidget::currentRowChanged, this, &SpecEditor::showRow);
  connect(kind_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SpecEditor::kindEdited);
  for (QComboBox* combo : {key_, text_len_mode_, text_len_parameter_})
    connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, &SpecEditor::formEdited);
  for (QSpinBox* spin : {dim_, expected_dims_, text_len_})
    connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, &SpecEditor::formEdited);
  for (QCheckBox* box : {has_expected_dims_, auto_pad_})
    connect(box, &QCheckBox::toggled, this, &SpecEditor::formEdited);
  connect(shard_group_, &QLineEdit::editingFinished, this, &SpecEditor::formEdited);
  connect(add_, &QPushButton::clicked, this, &SpecEditor::addSpec);
  connect(remove_, &QPushButton::clicked, this, &SpecEditor::removeSpec);
  clearNode();
}

void SpecEditor::setNode(const ModuleNode& node, const QString& path, const SequenceParallelPlan& plan,
                         const std::vector<std::string>& entry_keys, const std::vector<std::string>& add_keys) {
  const std::optional<SpecRow> before = currentSpec();
  const int before_row = currentRow();
  const bool same_node = path == path_ && node.class_name == node_.class_name;
  node_ = without_children(node);
  path_ = path;
  plan_ = plan;
  rows_ = spec_rows(plan, entry_keys, path.toStdString());

  updating_ = true;
  const QString chosen_entry = entry_->currentData().toString();
  entry_->clear();
  for (const std::string& key : add_keys)
    entry_->addItem(key.empty() ? tr("(root)") : QString::fromStdString(key), QString::fromStdString(key));
  entry_->setCurrentIndex(same_node ? std::max(0, entry_->findData(chosen_entry)) : 0);
  text_len_parameter_->clear();
  for (const std::string& name : node_.signature)
    text_len_parameter_->addItem(QString::fromStdString(name), QString::fromStdString(name));
  list_->clear();
  for (const SpecRow& row : rows_)
    list_->addItem(QString::fromStdString(row.label));
  updating_ = false;

  // Keep the spec the user works on selected: the one the last edit made, else the same one as
  // before, else the same row.
  auto find_row = [&](const std::string& entry, const SpecId& id, int element) {
    for (std::size_t i = 0; i < rows_.size(); ++i)
      if (rows_[i].entry_key == entry && rows_[i].id == id && rows_[i].element == element) return static_cast<int>(i);
    return -1;
  };
  int row = -1;
  if (pending_) row = find_row(pending_->first, pending_->second, pending_element_);
  if (row < 0 && same_node && before) row = find_row(before->entry_key, before->id, before->element);
  if (row < 0 && same_node) row = std::min(before_row, specCount() - 1);
  if (row < 0 && !rows_.empty()) row = 0;
  pending_.reset();
  pending_element_ = -1;
  setEnabled(true);
  add_->setEnabled(node_.hookable && entry_->count() > 0);
  list_->setCurrentRow(row);
  showRow(row);
}

void SpecEditor::clearNode() {
  node_ = ModuleNode{};
  path_.clear();
  rows_.clear();
  updating_ = true;
  list_->clear();
  entry_->clear();
  updating_ = false;
  showRow(-1);
  setEnabled(false);
}

int SpecEditor::specCount() const {
  return static_cast<int>(rows_.size());
}

int SpecEditor::currentRow() const {
  const int row = list_->currentRow();
  return row >= 0 && row < specCount() ? row : -1;
}

void SpecEditor::setCurrentRow(int row) {
  list_->setCurrentRow(row);
}

InputKey SpecEditor::keyFrom(const QVariant& data) {
  if (data.typeId() == QMetaType::Int) return InputKey::index(data.toInt());
  return InputKey::name(data.toString().toStdString());
}

std::optional<SpecRow> SpecEditor::currentSpec() const {
  const int row = currentRow();
  if (row < 0) return std::nullopt;
  return rows_[static_cast<std::size_t>(row)];
}

void SpecEditor::showRow(int row) {
  if (updating_) return;
  const std::optional<SpecRow> spec =
      row >= 0 && row < specCount() ? std::optional<SpecRow>(rows_[static_cast<std::size_t>(row)]) : std::nullopt;
  updating_ = true;
  const SpecKind kind = spec ? spec->id.kind : SpecKind::Split;
  kind_->setCurrentIndex(kind_->findData(int(kind)));
  refillKeys(kind, spec);
  int dim = 1;
  std::optional<int> expected;
  bool pad = false;
  std::optional<std::string> group;
  TextLenMode mode = TextLenMode::None;
  if (spec) {
    if (const auto* split = std::get_if<SplitSpec>(&spec->spec)) {
      dim = split_dim(*split);
      expected = expected_dims(*split);
      pad = auto_pad(*split);
      group = shard_group(*split);
      if (const auto* partial = std::get_if<SequenceParallelPartialInput>(split)) {
        if (const auto* n = std::get_if<std::int64_t>(&partial->text_len)) {
          mode = TextLenMode::Integer;
          text_len_->setValue(static_cast<int>(std::clamp<std::int64_t>(*n, 0, text_len_->maximum())));
        } else {
          mode = TextLenMode::Parameter;
          const QString name = QString::fromStdString(std::get<std::string>(partial->text_len));
          if (text_len_parameter_->findData(name) < 0) text_len_parameter_->addItem(name, name);
          text_len_parameter_->setCurrentIndex(text_len_parameter_->findData(name));
        }
      }
    } else {
      const auto& gather = std::get<SequenceParallelOutput>(spec->spec);
      dim = gather.gather_dim;
      expected = gather.expected_dims;
      group = gather.shard_group;
    }
  }
  dim_->setValue(dim);
  has_expected_dims_->setChecked(expected.has_value());
  expected_dims_->setValue(expected.value_or(3));
  auto_pad_->setChecked(pad);
  shard_group_->setText(group ? QString::fromStdString(*group) : QString());
  text_len_mode_->setCurrentIndex(text_len_mode_->findData(int(mode)));
  updating_ = false;
  updateEnabled();
}

void SpecEditor::refillKeys(SpecKind kind, const std::optional<SpecRow>& row) {
  key_->clear();
  const std::optional<InputKey> row_key =
      row && row->id.kind == kind && kind != SpecKind::Gather ? std::optional<InputKey>(row->id.key) : std::nullopt;
  if (kind == SpecKind::Split) {
    auto add_parameter = [&](const std::string& name, bool only_elements) {
      const int length = std::max(listLength(name), row_key && *row_key->as_name() == name ? row->element + 1 : 0);
      if (length == 0 && !only_elements) key_->addItem(QString::fromStdString(name), QString::fromStdString(name));
      for (int i = 0; i < length; ++i) {
        key_->addItem(QString::fromStdString(name + "[" + std::to_string(i) + "]"), QString::fromStdString(name));
        key_->setItemData(key_->count() - 1, i, kElementRole);
      }
    };
    if (row_key && row_key->as_name() && row->element >= 0) {
      add_parameter(*row_key->as_name(), true);  // a list element moves only within its list
    } else {
      for (const std::string& name : node_.signature)
        add_parameter(name, false);
      const bool listed = row_key && row_key->as_name() &&
                          std::count(node_.signature.begin(), node_.signature.end(), *row_key->as_name()) > 0;
      if (row_key && !listed) key_->addItem(QString::fromStdString(row_key->to_string()), data_of(*row_key));
    }
  } else {
    const int selected = kind == SpecKind::Gather ? (row ? row->id.gather_index : 0)
                                                  : (row_key && row_key->as_index() ? *row_key->as_index() : 0);
    const int count = std::max(outputCount(), selected + 1);
    for (int i = 0; i < count; ++i)
      key_->addItem(QString::number(i), i);
    if (row_key && row_key->as_name()) key_->addItem(QString::fromStdString(*row_key->as_name()), data_of(*row_key));
  }
  for (int i = 0; i < key_->count(); ++i) {
    const QVariant item_data = key_->itemData(i);
    const int element = key_->itemData(i, kElementRole).isValid() ? key_->itemData(i, kElementRole).toInt() : -1;
    const bool match = kind == SpecKind::Gather
                           ? row && row->id.kind == kind && item_data.toInt() == row->id.gather_index
                           : row_key && keyFrom(item_data) == *row_key && element == row->element;
    if (match) key_->setCurrentIndex(i);
  }
}

void SpecEditor::updateEnabled() {
  const bool has_row = currentRow() >= 0;
  const SpecKind kind = formKind();
  const auto mode = static_cast<TextLenMode>(text_len_mode_->currentData().toInt());
  const std::optional<SpecRow> row = currentSpec();
  for (QWidget* w : std::initializer_list<QWidget*>{key_, dim_, has_expected_dims_, text_len_mode_})
    w->setEnabled(has_row);
  kind_->setEnabled(has_row && !(row && row->element >= 0));  // a list element stays a split
  expected_dims_->setEnabled(has_row && has_expected_dims_->isChecked());
  const bool split = kind != SpecKind::Gather;
  auto_pad_->setEnabled(has_row && split && mode == TextLenMode::None);
  shard_group_->setEnabled(has_row && mode == TextLenMode::None);
  text_len_mode_->setEnabled(has_row && split);
  text_len_->setVisible(mode == TextLenMode::Integer);
  text_len_parameter_->setVisible(mode == TextLenMode::Parameter);
  text_len_->setEnabled(has_row && split);
  text_len_parameter_->setEnabled(has_row && split);
  remove_->setEnabled(has_row);
}

SpecKind SpecEditor::formKind() const {
  return static_cast<SpecKind>(kind_->currentData().toInt());
}

int SpecEditor::listLength(const std::string& name) const {
  const ValueShape* shape = node_.input(name);
  return shape && shape->kind == ValueShape::Kind::List ? static_cast<int>(shape->items.size()) : 0;
}

int SpecEditor::outputCount() const {
  if (!node_.output) return kUnknownOutputCount;
  return node_.output->kind == ValueShape::Kind::List ? static_cast<int>(node_.output->items.size()) : 1;
}

}  // namespace spstudio::ui
