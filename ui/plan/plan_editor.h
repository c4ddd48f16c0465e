// SPDX-License-Identifier: Apache-2.0
// The visual SP plan editor: the model's module tree with what the plan does at each module
// (PlanTreeModel), the selected module's specs edited in place (SpecEditor) with its recorded shapes
// and issues, and around them the degrees, the resolution, load / save / diff / reset, undo and a dry
// run. The plan is validated live (validate_plan against the manifest for the chosen degrees) after
// every edit, degree or plan change; every issue sits on the node it concerns. Changing degrees
// needs no new manifest (the shapes after a split are computed); changing the resolution emits
// resolutionChanged and the window re-describes the model and calls setManifest.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "common/issues.h"
#include "common/manifest.h"
#include "common/parallel_config.h"
#include "common/plan.h"
#include "ui/plan/plan_edits.h"

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTimer;
class QTreeView;
class QTreeWidget;

namespace spstudio::ui {

class PlanTreeModel;
class SpecEditor;

class PlanEditor : public QWidget {
  Q_OBJECT
 public:
  explicit PlanEditor(QWidget* parent = nullptr);

  /// The module tree and its shapes at manifest.resolution (the Height/Width boxes follow it,
  /// silently); loads manifest.shipped_plan when no plan was set yet. Expansion and selection are
  /// kept across a new manifest of the same model (a re-describe at another resolution).
  void setManifest(const ModelManifest& manifest);
  /// Replaces the plan (not an edit: no planEdited, and the undo history starts afresh).
  void setPlan(const SequenceParallelPlan& plan);
  SequenceParallelPlan plan() const { return plan_; }
  QString planJson() const;  ///< plan_to_json (canonical)
  void setDegrees(ParallelConfig degrees);
  ParallelConfig degrees() const { return degrees_; }
  /// Sets the Height/Width boxes; emits resolutionChanged when they change.
  void setResolution(int height, int width);
  int planHeight() const;
  int planWidth() const;

  /// Loads a plan file as an edit (undoable). "" on success, else every problem (file and entry
  /// key named), one per line; the plan is kept on error.
  QString loadPlanFile(const QString& path);
  /// Writes planJson() atomically; "" on success, else the error naming the file.
  QString savePlanFile(const QString& path);

  std::vector<ValidationIssue> issues() const { return issues_; }
  PlanTreeModel* treeModel() const { return tree_model_; }
  SpecEditor* specEditor() const { return spec_editor_; }

  /// Selects the node at a concrete module path in the tree (expanding its parents); false if none.
  bool selectPath(const QString& path);
  QString selectedPath() const;  ///< "" for the root or when nothing is selected (see hasSelection)
  bool hasSelection() const;

  bool canUndo() const { return !undo_.empty(); }
  bool canRedo() const { return !redo_.empty(); }

 signals:
  /// The user changed the plan (an edit, load, reset, undo or redo); the canonical JSON.
  void planEdited(QString plan_json);
  void degreesChanged(spstudio::ParallelConfig degrees);  ///< from the Ulysses / Ring boxes
  void resolutionChanged(int height, int width);
  void dryRunRequested(QString plan_json, spstudio::ParallelConfig degrees, int height, int width);

 public slots:
  void showDryRunResult(bool ok, QString message);
  void applyEdit(const spstudio::ui::PlanEdit& edit);
  void undo();
  void redo();
  void resetToShipped();

 private:
  QWidget* buildTopBar();
  void changePlan(SequenceParallelPlan plan);  ///< an undoable user change
  void refresh();
  void revalidate();
  void showNode();
  void fillIssueList();
  void fillDiff();
  void activateIssue(int row);
  void degreesEdited();

  PlanTreeModel* tree_model_;
  QTreeView* tree_;
  SpecEditor* spec_editor_;
  QLabel* node_title_;
  QLabel* node_shapes_;
  QListWidget* node_issues_;
  QListWidget* issue_list_;
  QTreeWidget* diff_;
  QSpinBox* ulysses_;
  QSpinBox* ring_;
  QLabel* sp_size_;
  QSpinBox* height_;
  QSpinBox* width_;
  QPushButton* diff_button_;
  QPushButton* reset_button_;
  QPushButton* undo_button_;
  QPushButton* redo_button_;
  QPushButton* dry_run_;
  QLabel* dry_run_status_;
  QLabel* file_status_;
  QTimer* resolution_timer_;

  std::optional<ModelManifest> manifest_;
  std::optional<SequenceParallelPlan> shipped_;
  QString shipped_error_;
  SequenceParallelPlan plan_;
  bool plan_set_ = false;
  ParallelConfig degrees_;
  std::vector<ValidationIssue> issues_;
  std::vector<SequenceParallelPlan> undo_, redo_;
};

}  // namespace spstudio::ui
