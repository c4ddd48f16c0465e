// SPDX-License-Identifier: Apache-2.0
// Edits the specs of the selected module in place: a list of the specs the plan gives it (its own
// entry's and those of wildcard keys covering it, "via …"), and editors for the selected one — kind
// (split / split_output / gather), key (the module's forward parameters, list parameters by element;
// output indices for split_output and gather), dim, expected_dims, auto_pad, shard_group, text_len
// (none / integer / parameter: a partial split). Add puts a new split on the first free parameter of
// the chosen plan key, Remove drops the selected spec. Every change emits one PlanEdit; the owner
// applies it (apply_edit) and hands the new plan back with setNode.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>
#include <string>
#include <vector>

#include "common/manifest.h"
#include "common/plan.h"
#include "ui/plan/plan_edits.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace spstudio::ui {

class SpecEditor : public QWidget {
  Q_OBJECT
 public:
  explicit SpecEditor(QWidget* parent = nullptr);

  /// Shows the specs `plan` gives the module `node` at `path` through `entry_keys` (the plan keys
  /// covering it); `add_keys` are the keys Add may create a spec under (plan_keys_for). The spec
  /// selected before (or the one the last edit created) stays selected.
  void setNode(const ModuleNode& node, const QString& path, const SequenceParallelPlan& plan,
               const std::vector<std::string>& entry_keys, const std::vector<std::string>& add_keys);
  /// No module selected: empty and disabled.
  void clearNode();

  int specCount() const;
  int currentRow() const;  ///< -1 when none
  void setCurrentRow(int row);
  std::optional<SpecRow> currentSpec() const;

 signals:
  void editRequested(spstudio::ui::PlanEdit edit);

 private:
  enum class TextLenMode { None, Integer, Parameter };
  /// The key combo's data: UserRole the parameter name (QString) or output index (int), and
  /// kElementRole a list parameter's element.
  static constexpr int kElementRole = Qt::UserRole + 1;
  static InputKey keyFrom(const QVariant& data);
  void showRow(int row);
  void refillKeys(SpecKind kind, const std::optional<SpecRow>& row);
  void updateEnabled();
  void formEdited();
  void kindEdited();
  void addSpec();
  void removeSpec();
  void emitEdit(PlanEdit edit);
  /// The spec the form describes, for a split-side kind.
  SplitSpec formSplitSpec(bool output_side) const;
  SequenceParallelOutput formGatherSpec() const;
  SpecKind formKind() const;
  /// The recorded element count of list parameter `name` (0: not a list or unknown).
  int listLength(const std::string& name) const;
  int outputCount() const;

  QListWidget* list_;
  QComboBox* entry_;
  QComboBox* kind_;
  QComboBox* key_;
  QSpinBox* dim_;
  QCheckBox* has_expected_dims_;
  QSpinBox* expected_dims_;
  QCheckBox* auto_pad_;
  QLineEdit* shard_group_;
  QComboBox* text_len_mode_;
  QSpinBox* text_len_;
  QComboBox* text_len_parameter_;
  QPushButton* add_;
  QPushButton* remove_;

  ModuleNode node_;  ///< the selected module without its children
  QString path_;
  SequenceParallelPlan plan_;
  std::vector<SpecRow> rows_;
  bool updating_ = false;  ///< the form is being filled from the plan: no edits
  /// The spec to select after the next setNode (the one the last edit created or changed).
  std::optional<std::pair<std::string, SpecId>> pending_;
  int pending_element_ = -1;
};

}  // namespace spstudio::ui
