// SPDX-License-Identifier: Apache-2.0
// PlanEditor: the layout, the bar above it, and the public API (plan, degrees, resolution, files,
// undo); plan_editor_panes.cpp fills the panes from this state.
#include "ui/plan/plan_editor.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <exception>
#include <set>

#include "common/atomic_file.h"
#include "common/plan_json.h"
#include "ui/plan/plan_tree_model.h"
#include "ui/plan/spec_editor.h"

namespace spstudio::ui {
namespace {

constexpr int kResolutionStep = 16;
constexpr int kMaxResolution = 8192;
constexpr int kMaxDegree = 64;
constexpr int kResolutionDelayMs = 400;  // one re-describe per burst of spin-box steps

QSpinBox* spin_box(QWidget* parent, const char* name, int low, int high, int step, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setObjectName(QString::fromLatin1(name));
  box->setRange(low, high);
  box->setSingleStep(step);
  box->setToolTip(tip);
  return box;
}

QPushButton* button(QWidget* parent, const QString& text, const char* name, const QString& tip) {
  auto* b = new QPushButton(text, parent);
  b->setObjectName(QString::fromLatin1(name));
  b->setToolTip(tip);
  return b;
}

/// Every path under `parent` that the view shows expanded.
void collect_expanded(const QTreeView* view, const PlanTreeModel* model, const QModelIndex& parent,
                      std::set<QString>& out) {
  for (int row = 0; row < model->rowCount(parent); ++row) {
    const QModelIndex index = model->index(row, 0, parent);
    if (!view->isExpanded(index)) continue;
    out.insert(model->pathOf(index));
    collect_expanded(view, model, index, out);
  }
}

}  // namespace

PlanEditor::PlanEditor(QWidget* parent)
    : QWidget(parent),
      tree_model_(new PlanTreeModel(this)),
      tree_(new QTreeView(this)),
      spec_editor_(new SpecEditor(this)),
      node_title_(new QLabel(this)),
      node_shapes_(new QLabel(this)),
      node_issues_(new QListWidget(this)),
      issue_list_(new QListWidget(this)),
      diff_(new QTreeWidget(this)),
      resolution_timer_(new QTimer(this)) {
  setObjectName(QStringLiteral("planEditor"));
  tree_->setObjectName(QStringLiteral("planTree"));
  tree_->setModel(tree_model_);
  tree_->setUniformRowHeights(true);
  tree_->setAlternatingRowColors(false);  // the issue colours are row backgrounds
  tree_->header()->setSectionResizeMode(QHeaderView::Interactive);
  tree_->setColumnWidth(PlanTreeModel::ModuleColumn, 220);
  tree_->setColumnWidth(PlanTreeModel::PlanColumn, 260);
  tree_->setColumnWidth(PlanTreeModel::ShapesColumn, 260);
  spec_editor_->setObjectName(QStringLiteral("specEditor"));
  node_title_->setObjectName(QStringLiteral("nodeTitle"));
  node_title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  node_shapes_->setObjectName(QStringLiteral("nodeShapes"));
  node_shapes_->setWordWrap(true);
  node_shapes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  node_issues_->setObjectName(QStringLiteral("nodeIssues"));
  node_issues_->setWordWrap(true);
  node_issues_->setToolTip(tr("The issues on this module, each with what would fix it"));
  issue_list_->setObjectName(QStringLiteral("planIssues"));
  issue_list_->setWordWrap(true);
  issue_list_->setToolTip(tr("Every issue of the plan for the chosen degrees; activate one to select its module"));
  diff_->setObjectName(QStringLiteral("planDiff"));
  diff_->setHeaderLabels({tr("Entry"), tr("Change"), tr("Shipped"), tr("Current")});
  diff_->setVisible(false);
  resolution_timer_->setSingleShot(true);
  resolution_timer_->setInterval(kResolutionDelayMs);

  auto* details = new QWidget(this);
  auto* details_layout = new QVBoxLayout(details);
  details_layout->setContentsMargins(0, 0, 0, 0);
  details_layout->addWidget(node_title_);
  details_layout->addWidget(spec_editor_, 3);
  details_layout->addWidget(new QLabel(tr("Shapes"), details));
  details_layout->addWidget(node_shapes_);
  details_layout->addWidget(new QLabel(tr("Issues on this module"), details));
  details_layout->addWidget(node_issues_, 1);
  auto* sides = new QSplitter(Qt::Horizontal, this);
  sides->addWidget(tree_);
  sides->addWidget(details);
  sides->setStretchFactor(0, 3);
  sides->setStretchFactor(1, 2);
  auto* stack = new QSplitter(Qt::Vertical, this);
  stack->addWidget(sides);
  stack->addWidget(diff_);
  stack->addWidget(issue_list_);
  stack->setStretchFactor(0, 4);
  stack->setStretchFactor(1, 1);
  stack->setStretchFactor(2, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(buildTopBar());
  layout->addWidget(stack, 1);

  connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this, &PlanEditor::showNode);
  connect(spec_editor_, &SpecEditor::editRequested, this, &PlanEditor::applyEdit);
  connect(issue_list_, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* item) { activateIssue(issue_list_->row(item)); });
  connect(issue_list_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { activateIssue(issue_list_->row(item)); });
  connect(resolution_timer_, &QTimer::timeout, this, [this] { emit resolutionChanged(planHeight(), planWidth()); });
  auto* undo_key = new QShortcut(QKeySequence::Undo, this, this, &PlanEditor::undo);
  undo_key->setContext(Qt::WidgetWithChildrenShortcut);
  auto* redo_key = new QShortcut(QKeySequence::Redo, this, this, &PlanEditor::redo);
  redo_key->setContext(Qt::WidgetWithChildrenShortcut);
  refresh();
}

QWidget* PlanEditor::buildTopBar() {
  auto* bar = new QWidget(this);
  ulysses_ = spin_box(bar, "planUlysses", 1, kMaxDegree, 1, tr("Ulysses degree U (all-to-all over heads)"));
  ring_ = spin_box(bar, "planRing", 1, kMaxDegree, 1, tr("Ring degree R (key/value blocks passed around)"));
  sp_size_ = new QLabel(bar);
  sp_size_->setObjectName(QStringLiteral("planSpSize"));
  height_ = spin_box(bar, "planHeight", kResolutionStep, kMaxResolution, kResolutionStep,
                     tr("Image height the shapes are recorded for (the model is described again)"));
  width_ = spin_box(bar, "planWidth", kResolutionStep, kMaxResolution, kResolutionStep,
                    tr("Image width the shapes are recorded for (the model is described again)"));
  height_->setValue(256);
  width_->setValue(256);
  auto* load = button(bar, tr("Load…"), "planLoad", tr("Open a plan file (spstudio-plan/1 JSON)"));
  auto* save = button(bar, tr("Save…"), "planSave", tr("Save the plan as canonical JSON"));
  diff_button_ = button(bar, tr("Diff with shipped"), "planDiffButton", tr("Show what differs from the shipped plan"));
  diff_button_->setCheckable(true);
  reset_button_ = button(bar, tr("Reset to shipped"), "planReset", tr("Replace the plan by the model's shipped plan"));
  undo_button_ = button(bar, tr("Undo"), "planUndo", tr("Undo the last change to the plan"));
  redo_button_ = button(bar, tr("Redo"), "planRedo", tr("Redo the change undone last"));
  dry_run_ = button(bar, tr("Dry run on CPU"), "dryRunButton",
                    tr("Apply the plan to the model on CPU ranks for the chosen degrees: the final check"));
  dry_run_status_ = new QLabel(bar);
  dry_run_status_->setObjectName(QStringLiteral("dryRunStatus"));
  file_status_ = new QLabel(bar);
  file_status_->setObjectName(QStringLiteral("planFileStatus"));
  file_status_->setWordWrap(true);

  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(new QLabel(tr("Ulysses"), bar));
  row->addWidget(ulysses_);
  row->addWidget(new QLabel(tr("Ring"), bar));
  row->addWidget(ring_);
  row->addWidget(sp_size_);
  row->addSpacing(12);
  row->addWidget(new QLabel(tr("Height"), bar));
  row->addWidget(height_);
  row->addWidget(new QLabel(tr("Width"), bar));
  row->addWidget(width_);
  row->addSpacing(12);
  row->addWidget(dry_run_);
  row->addWidget(dry_run_status_, 1);
  // The file and history buttons get a row of their own, so the editor fits beside the docks.
  auto* buttons = new QHBoxLayout;
  buttons->setContentsMargins(0, 0, 0, 0);
  for (QPushButton* b : {load, save, diff_button_, reset_button_, undo_button_, redo_button_})
    buttons->addWidget(b);
  buttons->addWidget(file_status_, 1);
  auto* column = new QVBoxLayout(bar);
  column->setContentsMargins(0, 0, 0, 0);
  column->addLayout(row);
  column->addLayout(buttons);

  connect(ulysses_, qOverload<int>(&QSpinBox::valueChanged), this, &PlanEditor::degreesEdited);
  connect(ring_, qOverload<int>(&QSpinBox::valueChanged), this, &PlanEditor::degreesEdited);
  for (QSpinBox* box : {height_, width_})
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
      showNode();  // the shapes note says they are stale until the new manifest arrives
      resolution_timer_->start();
    });
  connect(load, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a plan"), {}, tr("Plan files (*.json)"));
    if (path.isEmpty()) return;
    const QString error = loadPlanFile(path);
    file_status_->setText(error.isEmpty() ? tr("loaded %1").arg(path) : error);
  });
  connect(save, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the plan"), {}, tr("Plan files (*.json)"));
    if (path.isEmpty()) return;
    const QString error = savePlanFile(path);
    file_status_->setText(error.isEmpty() ? tr("saved %1").arg(path) : error);
  });
  connect(diff_button_, &QPushButton::toggled, this, [this](bool on) {
    diff_->setVisible(on);
    fillDiff();
  });
  connect(reset_button_, &QPushButton::clicked, this, &PlanEditor::resetToShipped);
  connect(undo_button_, &QPushButton::clicked, this, &PlanEditor::undo);
  connect(redo_button_, &QPushButton::clicked, this, &PlanEditor::redo);
  connect(dry_run_, &QPushButton::clicked, this, [this] {
    dry_run_status_->setText(tr("dry run for U%1×R%2 at %3×%4 running…")
                                 .arg(degrees_.ulysses_degree)
                                 .arg(degrees_.ring_degree)
                                 .arg(planWidth())
                                 .arg(planHeight()));
    dry_run_status_->setStyleSheet(QString());
    emit dryRunRequested(planJson(), degrees_, planHeight(), planWidth());
  });
  return bar;
}

void PlanEditor::setManifest(const ModelManifest& manifest) {
  const bool same_model = manifest_ && manifest_->model == manifest.model;
  const bool other_model = manifest_ && !same_model;
  std::set<QString> expanded;
  collect_expanded(tree_, tree_model_, {}, expanded);
  const bool had_selection = hasSelection();
  const QString selected = selectedPath();

  manifest_ = manifest;
  shipped_.reset();
  shipped_error_.clear();
  if (!manifest.shipped_plan.empty()) {
    try {
      shipped_ = plan_from_json(manifest.shipped_plan);
    } catch (const std::exception& e) {
      shipped_error_ = tr("the shipped plan does not parse: %1").arg(QString::fromUtf8(e.what()));
    }
  }
  // A plan written for another model class would only show errors: start from the new shipped one.
  if (shipped_ && (!plan_set_ || other_model)) {
    plan_ = *shipped_;
    plan_set_ = true;
    undo_.clear();
    redo_.clear();
  }
  if (manifest.resolution) {
    const QSignalBlocker block_height(height_);
    const QSignalBlocker block_width(width_);
    height_->setValue(manifest.resolution->first);
    width_->setValue(manifest.resolution->second);
    resolution_timer_->stop();
  }
  tree_model_->setManifest(manifest);
  if (same_model && !expanded.empty()) {
    for (const QString& path : expanded)
      tree_->expand(tree_model_->indexForPath(path));
  } else {
    tree_->expandToDepth(1);
  }
  if (!selectPath(same_model && had_selection ? selected : QString())) selectPath(QString());
  refresh();
}

void PlanEditor::setPlan(const SequenceParallelPlan& plan) {
  plan_ = plan;
  plan_set_ = true;
  undo_.clear();
  redo_.clear();
  refresh();
}

QString PlanEditor::planJson() const {
  return QString::fromStdString(plan_to_json(plan_));
}

void PlanEditor::setDegrees(ParallelConfig degrees) {
  {
    const QSignalBlocker block_ulysses(ulysses_);
    const QSignalBlocker block_ring(ring_);
    ulysses_->setValue(degrees.ulysses_degree);
    ring_->setValue(degrees.ring_degree);
  }
  degrees_ = degrees;  // as given: degrees the boxes cannot show are still validated (and reported)
  refresh();
}

void PlanEditor::degreesEdited() {
  degrees_ = {ulysses_->value(), ring_->value()};
  refresh();
  emit degreesChanged(degrees_);
}

void PlanEditor::setResolution(int height, int width) {
  if (height == planHeight() && width == planWidth()) return;
  {
    const QSignalBlocker block_height(height_);
    const QSignalBlocker block_width(width_);
    height_->setValue(height);
    width_->setValue(width);
  }
  resolution_timer_->stop();
  showNode();
  emit resolutionChanged(planHeight(), planWidth());
}

int PlanEditor::planHeight() const {
  return height_->value();
}

int PlanEditor::planWidth() const {
  return width_->value();
}

QString PlanEditor::loadPlanFile(const QString& path) {
  try {
    changePlan(load_plan_file(path.toStdString()));
    return {};
  } catch (const PlanError& e) {
    QStringList lines;
    for (const ValidationIssue& issue : e.issues())
      lines << QString::fromStdString(issue.to_string());
    return lines.join('\n');
  } catch (const std::exception& e) {
    return tr("%1: %2").arg(path, QString::fromUtf8(e.what()));
  }
}

QString PlanEditor::savePlanFile(const QString& path) {
  const std::string text = plan_to_json(plan_);
  try {
    write_file_atomically(path.toStdString(), text.data(), text.size());
    return {};
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  }
}

bool PlanEditor::selectPath(const QString& path) {
  const QModelIndex index = tree_model_->indexForPath(path);
  if (!index.isValid()) return false;
  for (QModelIndex up = index.parent(); up.isValid(); up = up.parent())
    tree_->expand(up);
  tree_->setCurrentIndex(index);
  tree_->scrollTo(index);
  return true;
}

QString PlanEditor::selectedPath() const {
  return tree_model_->pathOf(tree_->currentIndex());
}

bool PlanEditor::hasSelection() const {
  return tree_->currentIndex().isValid();
}

void PlanEditor::showDryRunResult(bool ok, QString message) {
  dry_run_status_->setText((ok ? tr("dry run passed") : tr("dry run failed")) +
                           (message.isEmpty() ? QString() : QStringLiteral(": ") + message));
  dry_run_status_->setStyleSheet(ok ? QStringLiteral("color: #2e7d32") : QStringLiteral("color: #c62828"));
}

void PlanEditor::applyEdit(const PlanEdit& edit) {
  SequenceParallelPlan next = plan_;
  apply_edit(next, edit);
  changePlan(std::move(next));
}

void PlanEditor::undo() {
  if (undo_.empty()) return;
  redo_.push_back(std::move(plan_));
  plan_ = std::move(undo_.back());
  undo_.pop_back();
  refresh();
  emit planEdited(planJson());
}

void PlanEditor::redo() {
  if (redo_.empty()) return;
  undo_.push_back(std::move(plan_));
  plan_ = std::move(redo_.back());
  redo_.pop_back();
  refresh();
  emit planEdited(planJson());
}

void PlanEditor::resetToShipped() {
  if (shipped_) changePlan(*shipped_);
}

void PlanEditor::changePlan(SequenceParallelPlan plan) {
  if (plan == plan_) return;
  undo_.push_back(std::move(plan_));
  redo_.clear();
  plan_ = std::move(plan);
  plan_set_ = true;
  refresh();
  emit planEdited(planJson());
}

}  // namespace spstudio::ui
