// SPDX-License-Identifier: Apache-2.0
// The model picker: a combo of builtin models and recent pipeline folders, a folder browser, and
// the reason the last choice was refused.
#include "ui/panels/model_picker.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>

namespace spstudio::ui {
namespace {

const QString kBuiltinPrefix = QStringLiteral("builtin:");

/// Folders are remembered in one spelling so the same folder never appears twice.
QString normalized_folder(const QString& folder) {
  return QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
}

QString folder_display_name(const QString& folder) {
  const QString name = QFileInfo(folder).fileName();
  return name.isEmpty() ? folder : name;
}

}  // namespace

QString check_pipeline_folder(const QString& folder) {
  if (folder.isEmpty()) return QStringLiteral("no folder given: pick a diffusers pipeline folder");
  const QFileInfo info(folder);
  if (!info.exists()) return QStringLiteral("%1 does not exist").arg(folder);
  if (!info.isDir()) return QStringLiteral("%1 is not a folder: pick the pipeline's top folder").arg(folder);
  if (!QFileInfo(QDir(folder).filePath(QStringLiteral("model_index.json"))).isFile())
    return QStringLiteral("%1 has no model_index.json: pick the pipeline's top folder").arg(folder);
  return {};
}

ModelPicker::ModelPicker(QWidget* parent)
    : QWidget(parent),
      combo_(new QComboBox(this)),
      browse_(new QPushButton(tr("Open folder…"), this)),
      error_(new QLabel(this)) {
  combo_->setObjectName(QStringLiteral("model"));
  combo_->setToolTip(tr("The model to run: a builtin model or a recently opened diffusers pipeline folder"));
  combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo_->setMinimumContentsLength(16);
  browse_->setObjectName(QStringLiteral("modelBrowse"));
  browse_->setToolTip(tr("Open a diffusers pipeline folder (the one holding model_index.json)"));
  error_->setObjectName(QStringLiteral("modelError"));
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c62828;"));
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->hide();

  auto* row = new QHBoxLayout;
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(combo_, 1);
  row->addWidget(browse_);
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  auto* label = new QLabel(tr("Model"), this);
  label->setBuddy(combo_);
  label->setToolTip(combo_->toolTip());
  form->addRow(label, row);
  form->addRow(error_);

  connect(combo_, &QComboBox::activated, this, [this](int index) {
    const QString model = combo_->itemData(index).toString();
    if (!model.isEmpty() && model != current_) setCurrentModel(model);
  });
  connect(browse_, &QPushButton::clicked, this, &ModelPicker::browse);
}

void ModelPicker::setBuiltinModels(const QStringList& models) {
  builtin_ = models;
  builtin_.removeDuplicates();
  if (current_.isEmpty() && !builtin_.isEmpty()) {
    current_ = builtin_.first();
    rebuild(current_);
    emit modelChanged(current_);
    return;
  }
  rebuild(current_);
}

void ModelPicker::setRecentFolders(const QStringList& folders) {
  recent_.clear();
  for (const QString& folder : folders) {
    if (folder.isEmpty()) continue;
    const QString normalized = normalized_folder(folder);
    if (!recent_.contains(normalized)) recent_.append(normalized);
    if (recent_.size() == kMaxRecentFolders) break;
  }
  rebuild(current_);
}

QStringList ModelPicker::recentFolders() const {
  return recent_;
}

QString ModelPicker::currentModel() const {
  return current_;
}

bool ModelPicker::setCurrentModel(const QString& model) {
  QString chosen;
  QString refusal;
  if (model.startsWith(kBuiltinPrefix)) {
    if (builtin_.contains(model)) {
      chosen = model;
    } else {
      refusal = tr("unknown builtin model \"%1\"; the builtin models are: %2")
                    .arg(model, builtin_.isEmpty() ? tr("(none)") : builtin_.join(QStringLiteral(", ")));
    }
  } else {
    refusal = check_pipeline_folder(model);
    if (refusal.isEmpty()) {
      chosen = normalized_folder(model);
      recent_.removeAll(chosen);
      recent_.prepend(chosen);
      while (recent_.size() > kMaxRecentFolders)
        recent_.removeLast();
    }
  }

  error_->setText(refusal);
  error_->setVisible(!refusal.isEmpty());
  if (!refusal.isEmpty()) {
    rebuild(current_);  // the combo may show the refused entry: put the current one back
    return false;
  }
  const bool changed = chosen != current_;
  current_ = chosen;
  rebuild(current_);
  if (changed) emit modelChanged(current_);
  return true;
}

QString ModelPicker::errorText() const {
  return error_->text();
}

void ModelPicker::browse() {
  const QString start = recent_.isEmpty() ? QDir::homePath() : QFileInfo(recent_.first()).absolutePath();
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Open a diffusers pipeline folder"), start);
  if (!folder.isEmpty()) setCurrentModel(folder);
}

void ModelPicker::rebuild(const QString& select) {
  const QSignalBlocker blocker(combo_);
  combo_->clear();
  for (const QString& model : builtin_) {
    combo_->addItem(model, model);
    combo_->setItemData(combo_->count() - 1, tr("Builtin model %1").arg(model), Qt::ToolTipRole);
  }
  if (!builtin_.isEmpty() && !recent_.isEmpty()) combo_->insertSeparator(combo_->count());
  for (const QString& folder : recent_) {
    combo_->addItem(folder_display_name(folder), folder);
    combo_->setItemData(combo_->count() - 1, folder, Qt::ToolTipRole);
  }
  combo_->setCurrentIndex(select.isEmpty() ? -1 : combo_->findData(select));
  // A folder's item shows only its name: the full path is in the tooltip.
  QString tip = tr("The model to run: a builtin model or a recently opened diffusers pipeline folder");
  if (!select.isEmpty()) tip += QStringLiteral("\n") + tr("Current: %1").arg(select);
  combo_->setToolTip(tip);
}

}  // namespace spstudio::ui
