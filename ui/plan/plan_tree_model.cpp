// SPDX-License-Identifier: Apache-2.0
// PlanTreeModel: the module tree with plan markers, split shapes and validation issues per node.
#include "ui/plan/plan_tree_model.h"

#include <QBrush>
#include <QColor>
#include <algorithm>

#include "common/module_paths.h"
#include "ui/plan/plan_markers.h"
#include "ui/plan/split_shapes.h"

namespace spstudio::ui {
namespace {

const QColor kErrorBackground(255, 205, 210);    // red 100
const QColor kWarningBackground(255, 236, 179);  // amber 100
const QColor kErrorMark(198, 40, 40);            // the colours parallel_config_panel uses for text
const QColor kWarningMark(178, 106, 0);

QString qs(const std::string& s) {
  return QString::fromStdString(s);
}

QString recorded_shapes(const ModuleNode& node) {
  QStringList lines;
  for (const auto& [name, shape] : node.inputs)
    lines << qs(name + " " + describe_shape(shape));
  if (node.output) lines << qs("→ " + describe_shape(*node.output));
  return lines.join('\n');
}

}  // namespace

struct PlanTreeModel::Item {
  const ModuleNode* node = nullptr;
  std::string path;
  Item* parent = nullptr;
  int row = 0;
  std::vector<std::unique_ptr<Item>> children;
};

struct PlanTreeModel::NodeInfo {
  QStringList keys, markers, marker_kinds, shape_lines, issues;
  int level = NoIssue;
};

PlanTreeModel::PlanTreeModel(QObject* parent) : QAbstractItemModel(parent), root_item_(std::make_unique<Item>()) {}

PlanTreeModel::~PlanTreeModel() = default;

void PlanTreeModel::setManifest(const ModelManifest& manifest) {
  beginResetModel();
  root_module_ = std::make_unique<ModuleNode>(manifest.root);
  if (root_module_->class_name.empty()) root_module_->class_name = manifest.model;
  root_item_ = std::make_unique<Item>();
  items_by_path_.clear();
  // Depth-first with an explicit stack of (node, its item) pairs: no recursion limit on deep trees.
  auto top = std::make_unique<Item>();
  top->node = root_module_.get();
  top->parent = root_item_.get();
  std::vector<Item*> pending{top.get()};
  root_item_->children.push_back(std::move(top));
  while (!pending.empty()) {
    Item* item = pending.back();
    pending.pop_back();
    items_by_path_[item->path] = item;
    for (const ModuleNode& child : item->node->children) {
      auto c = std::make_unique<Item>();
      c->node = &child;
      c->path = join_module_path(item->path, child.name);
      c->parent = item;
      c->row = static_cast<int>(item->children.size());
      pending.push_back(c.get());
      item->children.push_back(std::move(c));
    }
  }
  issue_index_ = PlanIssueIndex(root_module_.get(), issues_);
  rebuildInfo();
  endResetModel();
}

void PlanTreeModel::setPlan(const SequenceParallelPlan& plan) {
  plan_ = plan;
  rebuildInfo();
  emitAllChanged();
}

void PlanTreeModel::setDegrees(ParallelConfig degrees) {
  degrees_ = degrees;
  rebuildInfo();
  emitAllChanged();
}

void PlanTreeModel::setIssues(std::vector<ValidationIssue> issues) {
  issues_ = std::move(issues);
  issue_index_ = PlanIssueIndex(root_module_.get(), issues_);
  rebuildInfo();
  emitAllChanged();
}

void PlanTreeModel::setState(const SequenceParallelPlan& plan, ParallelConfig degrees,
                             std::vector<ValidationIssue> issues) {
  plan_ = plan;
  degrees_ = degrees;
  issues_ = std::move(issues);
  issue_index_ = PlanIssueIndex(root_module_.get(), issues_);
  rebuildInfo();
  emitAllChanged();
}

const ModuleNode* PlanTreeModel::rootModule() const {
  return root_module_.get();
}

const ModuleNode* PlanTreeModel::moduleAt(const QString& path) const {
  const auto it = items_by_path_.find(path.toStdString());
  return it == items_by_path_.end() ? nullptr : it->second->node;
}

QModelIndex PlanTreeModel::indexForPath(const QString& path, int column) const {
  const auto it = items_by_path_.find(path.toStdString());
  if (it == items_by_path_.end()) return {};
  return createIndex(it->second->row, column, it->second);
}

QString PlanTreeModel::pathOf(const QModelIndex& index) const {
  const Item* item = itemOf(index);
  return item ? qs(item->path) : QString();
}

std::vector<std::string> PlanTreeModel::keysCovering(const std::string& path) const {
  std::vector<std::string> keys;
  const auto it = info_.find(path);
  if (it != info_.end())
    for (const QString& key : it->second.keys)
      keys.push_back(key.toStdString());
  return keys;
}

void PlanTreeModel::rebuildInfo() {
  info_.clear();
  if (!root_module_) return;
  for (const PlanEntry& entry : plan_.entries) {
    std::vector<std::string> paths;
    try {
      paths = resolve_module_path(*root_module_, entry.key);
    } catch (const PathError&) {
      continue;  // the validator's issue for it sits on the root
    }
    const std::vector<PlanMarker> markers = entry_markers(entry);
    for (const std::string& path : paths) {
      NodeInfo& info = info_[path];
      info.keys << qs(entry.key);
      const QString via = path == entry.key ? QString() : qs(" via " + entry.key);
      for (const PlanMarker& m : markers) {
        info.markers << qs(m.text) + via;
        if (!info.marker_kinds.contains(marker_kind_name(m.kind))) info.marker_kinds << marker_kind_name(m.kind);
      }
      for (const ShapeLine& line : entry_shape_lines(entry, *items_by_path_.at(path)->node, degrees_.sp_size()))
        info.shape_lines << qs(describe_shape_line(line));
    }
  }
  const std::vector<ValidationIssue>& issues = issue_index_.issues();
  for (std::size_t i = 0; i < issues.size(); ++i) {
    for (const std::string& path : issue_index_.nodesOf(i)) {
      NodeInfo& info = info_[path];
      info.issues << qs(issue_text_at(issues[i], path));
      info.level = std::max(info.level, int(issues[i].severity == Severity::Error ? ErrorLevel : WarningLevel));
    }
  }
}

void PlanTreeModel::emitAllChanged() {
  if (!root_module_) return;
  emitChanged(root_item_.get());
}

void PlanTreeModel::emitChanged(Item* parent) {
  if (parent->children.empty()) return;
  const QModelIndex parent_index = parent == root_item_.get() ? QModelIndex() : createIndex(parent->row, 0, parent);
  const int last = static_cast<int>(parent->children.size()) - 1;
  emit dataChanged(index(0, 0, parent_index), index(last, ColumnCount - 1, parent_index));
  for (const auto& child : parent->children)
    emitChanged(child.get());
}

PlanTreeModel::Item* PlanTreeModel::itemOf(const QModelIndex& index) const {
  return index.isValid() ? static_cast<Item*>(index.internalPointer()) : nullptr;
}

QModelIndex PlanTreeModel::index(int row, int column, const QModelIndex& parent) const {
  if (!hasIndex(row, column, parent)) return {};
  Item* parent_item = parent.isValid() ? itemOf(parent) : root_item_.get();
  return createIndex(row, column, parent_item->children[static_cast<std::size_t>(row)].get());
}

QModelIndex PlanTreeModel::parent(const QModelIndex& child) const {
  const Item* item = itemOf(child);
  if (!item || item->parent == root_item_.get()) return {};
  return createIndex(item->parent->row, 0, item->parent);
}

int PlanTreeModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() && parent.column() != 0) return 0;
  const Item* item = parent.isValid() ? itemOf(parent) : root_item_.get();
  return static_cast<int>(item->children.size());
}

int PlanTreeModel::columnCount(const QModelIndex&) const {
  return ColumnCount;
}

QVariant PlanTreeModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const Item* item = itemOf(index);
  const ModuleNode& node = *item->node;
  static const NodeInfo kNone;
  const auto found = info_.find(item->path);
  const NodeInfo& info = found == info_.end() ? kNone : found->second;
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case ModuleColumn:
          return item->path.empty() ? qs(node.class_name) : qs(node.name);
        case ClassColumn:
          return qs(node.class_name);
        case PlanColumn:
          return info.markers.join(QStringLiteral("; "));
        case ShapesColumn:
          return info.shape_lines.join(QStringLiteral("; "));
        case IssuesColumn:
          if (info.issues.isEmpty()) return QString();
          return info.issues.size() == 1 ? info.issues.front()
                                         : info.issues.front() + tr(" (+%1 more)").arg(info.issues.size() - 1);
      }
      return {};
    case Qt::ToolTipRole:
      switch (index.column()) {
        case ModuleColumn:
          return item->path.empty() ? tr("the model root (plan key \"\")") : qs(item->path);
        case PlanColumn:
          return info.markers.join('\n');
        case ShapesColumn: {
          const QString recorded = recorded_shapes(node);
          const QString split = info.shape_lines.join('\n');
          return recorded.isEmpty() ? split : split + (split.isEmpty() ? "" : "\n\n") + tr("recorded:\n") + recorded;
        }
        case IssuesColumn:
          return info.issues.join('\n');
      }
      return {};
    case Qt::BackgroundRole:
      if (info.level == ErrorLevel) return QBrush(kErrorBackground);
      if (info.level == WarningLevel) return QBrush(kWarningBackground);
      return {};
    case Qt::DecorationRole:
      if (index.column() != ModuleColumn || info.level == NoIssue) return {};
      return info.level == ErrorLevel ? kErrorMark : kWarningMark;
    case Qt::ForegroundRole:
      return node.hookable ? QVariant() : QVariant(QBrush(Qt::gray));
    case ModulePathRole:
      return qs(item->path);
    case PlanKeysRole:
      return info.keys;
    case SeverityRole:
      return info.level;
    case IssuesRole:
      return info.issues;
    case MarkerKindsRole:
      return info.marker_kinds;
    case ShapeLinesRole:
      return info.shape_lines;
    case HookableRole:
      return node.hookable;
  }
  return {};
}

QVariant PlanTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ModuleColumn:
      return tr("Module");
    case ClassColumn:
      return tr("Class");
    case PlanColumn:
      return tr("Plan");
    case ShapesColumn:
      return tr("Shapes");
    case IssuesColumn:
      return tr("Issues");
  }
  return {};
}

}  // namespace spstudio::ui
