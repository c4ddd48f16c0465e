// SPDX-License-Identifier: Apache-2.0
// The plan editor's tree: the model manifest's module tree (one top-level row, the root, shown as
// the model class), each node with what the plan does there, the shapes before → after each of its
// splits for the current degrees, and the validation issues placed on it. Wildcard entries
// (`transformer_blocks.*.attn`) mark every element they cover, "via <key>". setManifest resets the
// model; setPlan, setDegrees and setIssues only emit dataChanged, so selection and expansion survive
// every edit.
#pragma once

#include <QAbstractItemModel>
#include <QStringList>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/issues.h"
#include "common/manifest.h"
#include "common/parallel_config.h"
#include "common/plan.h"
#include "ui/plan/plan_issue_index.h"

namespace spstudio::ui {

class PlanTreeModel : public QAbstractItemModel {
  Q_OBJECT
 public:
  enum Column { ModuleColumn, ClassColumn, PlanColumn, ShapesColumn, IssuesColumn, ColumnCount };
  /// Worst issue on a node (SeverityRole).
  enum IssueLevel { NoIssue = 0, WarningLevel = 1, ErrorLevel = 2 };
  enum Role {
    ModulePathRole = Qt::UserRole + 1,  ///< QString: the concrete module path ("" for the root)
    PlanKeysRole,                       ///< QStringList: the plan keys covering the node, plan order
    SeverityRole,                       ///< int IssueLevel: the worst issue placed on the node
    IssuesRole,                         ///< QStringList: issue_text_at() of each issue, "… (fix: …)"
    MarkerKindsRole,                    ///< QStringList: "split", "partial", "split_output", "gather"
    ShapeLinesRole,                     ///< QStringList: one "before → after" line per split or gather
    HookableRole,                       ///< bool: the module can carry SP hooks
  };

  explicit PlanTreeModel(QObject* parent = nullptr);
  ~PlanTreeModel() override;

  /// Resets the tree to the manifest's modules (keeps the plan, degrees and issues).
  void setManifest(const ModelManifest& manifest);
  void setPlan(const SequenceParallelPlan& plan);
  void setDegrees(ParallelConfig degrees);
  /// Issues from validate_plan against this model's manifest; placed with PlanIssueIndex.
  void setIssues(std::vector<ValidationIssue> issues);
  /// The three above at once: one rebuild and one round of dataChanged (what the editor calls).
  void setState(const SequenceParallelPlan& plan, ParallelConfig degrees, std::vector<ValidationIssue> issues);

  const ModuleNode* rootModule() const;  ///< nullptr before setManifest
  const PlanIssueIndex& issueIndex() const { return issue_index_; }
  /// The node at a concrete path, or nullptr.
  const ModuleNode* moduleAt(const QString& path) const;
  /// The index of the node at `path` (invalid when there is none).
  QModelIndex indexForPath(const QString& path, int column = ModuleColumn) const;
  QString pathOf(const QModelIndex& index) const;
  /// Plan keys whose entries cover the node at `path`, in plan order.
  std::vector<std::string> keysCovering(const std::string& path) const;

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Item;
  struct NodeInfo;
  Item* itemOf(const QModelIndex& index) const;
  void rebuildInfo();
  void emitAllChanged();
  void emitChanged(Item* parent);

  std::unique_ptr<ModuleNode> root_module_;
  std::unique_ptr<Item> root_item_;  // invisible: its only child is the manifest's root
  std::map<std::string, Item*> items_by_path_;
  std::map<std::string, NodeInfo> info_;  // only nodes with markers or issues
  SequenceParallelPlan plan_;
  ParallelConfig degrees_;
  std::vector<ValidationIssue> issues_;
  PlanIssueIndex issue_index_;
};

}  // namespace spstudio::ui
