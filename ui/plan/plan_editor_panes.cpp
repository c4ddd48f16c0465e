// SPDX-License-Identifier: Apache-2.0
// PlanEditor's panes, filled from its state after every change: the live validation, the tree's
// markers and issues, the issue list, the diff with the shipped plan, and the selected module's
// specs, shapes and issues.
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTreeView>
#include <QTreeWidget>

#include "common/plan_validation.h"
#include "ui/plan/plan_diff.h"
#include "ui/plan/plan_editor.h"
#include "ui/plan/plan_tree_model.h"
#include "ui/plan/spec_editor.h"

namespace spstudio::ui {
namespace {

const QColor kErrorText(198, 40, 40);  // the colours parallel_config_panel uses
const QColor kWarningText(178, 106, 0);

}  // namespace

void PlanEditor::revalidate() {
  PlanValidationOptions options;
  options.config = degrees_;
  issues_ = validate_plan(plan_, manifest_ ? &manifest_->root : nullptr, options);
}

void PlanEditor::refresh() {
  revalidate();
  sp_size_->setText(tr("SP size %1").arg(degrees_.sp_size()));
  tree_model_->setState(plan_, degrees_, issues_);
  const bool errors = has_errors(issues_);
  dry_run_->setEnabled(manifest_.has_value() && !errors);
  dry_run_->setToolTip(errors ? tr("Fix the errors listed below first")
                              : tr("Apply the plan to the model on CPU ranks for the chosen degrees: the final check"));
  if (!dry_run_status_->text().isEmpty() && !dry_run_status_->text().endsWith(QStringLiteral("…"))) {
    dry_run_status_->clear();  // a result is about the plan and degrees it ran with
    dry_run_status_->setStyleSheet(QString());
  }
  reset_button_->setEnabled(shipped_.has_value() && !(*shipped_ == plan_));
  diff_button_->setEnabled(shipped_.has_value());
  diff_button_->setToolTip(shipped_
                               ? tr("Show what differs from the shipped plan")
                               : (shipped_error_.isEmpty() ? tr("the model names no shipped plan") : shipped_error_));
  undo_button_->setEnabled(canUndo());
  redo_button_->setEnabled(canRedo());
  fillIssueList();
  fillDiff();
  showNode();
}

void PlanEditor::fillIssueList() {
  issue_list_->clear();
  for (const ValidationIssue& issue : issues_) {
    auto* item = new QListWidgetItem(QString::fromStdString(issue.to_string()), issue_list_);
    item->setForeground(issue.severity == Severity::Error ? kErrorText : kWarningText);
  }
  if (issues_.empty()) {
    auto* item = new QListWidgetItem(
        manifest_ ? tr("no issues for U%1×R%2").arg(degrees_.ulysses_degree).arg(degrees_.ring_degree)
                  : tr("the plan is checked once the model is described"),
        issue_list_);
    item->setFlags(Qt::NoItemFlags);
  }
}

void PlanEditor::activateIssue(int row) {
  if (row < 0 || static_cast<std::size_t>(row) >= tree_model_->issueIndex().issues().size()) return;
  selectPath(QString::fromStdString(tree_model_->issueIndex().nodesOf(static_cast<std::size_t>(row)).front()));
}

void PlanEditor::fillDiff() {
  if (!diff_->isVisible() && !diff_button_->isChecked()) return;
  diff_->clear();
  if (!shipped_) {
    new QTreeWidgetItem(diff_, {shipped_error_.isEmpty() ? tr("the model names no shipped plan") : shipped_error_});
    return;
  }
  const std::vector<PlanEntryDiff> diffs = diff_plans(*shipped_, plan_);
  if (diffs.empty()) new QTreeWidgetItem(diff_, {tr("the plan is the shipped plan")});
  for (const PlanEntryDiff& d : diffs) {
    new QTreeWidgetItem(diff_, {d.key.empty() ? tr("(root)") : QString::fromStdString(d.key),
                                QString::fromLatin1(change_name(d.change)), QString::fromStdString(d.before_json),
                                QString::fromStdString(d.after_json)});
  }
}

void PlanEditor::showNode() {
  const QModelIndex index = tree_->currentIndex();
  const ModuleNode* node = index.isValid() ? tree_model_->moduleAt(tree_model_->pathOf(index)) : nullptr;
  node_issues_->clear();
  if (!node) {
    node_title_->setText(manifest_ ? tr("Select a module") : tr("No model described yet"));
    node_shapes_->clear();
    spec_editor_->clearNode();
    return;
  }
  const QString path = tree_model_->pathOf(index);
  node_title_->setText(QStringLiteral("<b>%1</b> — %2%3")
                           .arg((path.isEmpty() ? tr("(root)") : path).toHtmlEscaped(),
                                QString::fromStdString(node->class_name).toHtmlEscaped(),
                                node->hookable ? QString() : tr(" (cannot carry SP hooks)")));
  spec_editor_->setNode(
      *node, path, plan_, tree_model_->keysCovering(path.toStdString()),
      node->hookable ? plan_keys_for(*tree_model_->rootModule(), path.toStdString()) : std::vector<std::string>{});

  QStringList lines;
  if (manifest_ && manifest_->resolution &&
      (manifest_->resolution->first != planHeight() || manifest_->resolution->second != planWidth())) {
    lines << tr("recorded at %1×%2; waiting for the shapes at %3×%4")
                 .arg(manifest_->resolution->second)
                 .arg(manifest_->resolution->first)
                 .arg(planWidth())
                 .arg(planHeight());
  }
  for (const auto& [name, shape] : node->inputs)
    lines << QString::fromStdString(name + ": " + describe_shape(shape));
  if (node->output) lines << tr("output: %1").arg(QString::fromStdString(describe_shape(*node->output)));
  if (node->inputs.empty() && !node->output) lines << tr("no shapes recorded");
  const QStringList split = index.data(PlanTreeModel::ShapeLinesRole).toStringList();
  if (!split.isEmpty()) lines << tr("on each of %1 ranks:").arg(degrees_.sp_size()) << split;
  node_shapes_->setText(lines.join('\n'));

  const QStringList issues = index.data(PlanTreeModel::IssuesRole).toStringList();
  for (const QString& text : issues) {
    auto* item = new QListWidgetItem(text, node_issues_);
    item->setForeground(text.startsWith(QStringLiteral("error")) ? kErrorText : kWarningText);
  }
}

}  // namespace spstudio::ui
