// SPDX-License-Identifier: Apache-2.0
// Which model to run: the builtin models, recently used diffusers pipeline folders, and
// "Open folder…". A folder without model_index.json is refused with a message naming it, and the
// previous choice stays.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace spstudio::ui {

class ModelPicker : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxRecentFolders = 8;

  explicit ModelPicker(QWidget* parent = nullptr);

  void setBuiltinModels(const QStringList& models);  ///< e.g. {"builtin:tiny-flux"}
  void setRecentFolders(const QStringList& folders);
  QStringList recentFolders() const;  ///< most recent first

  QString currentModel() const;
  /// Selects a builtin or a folder (a valid folder is added to the recent ones). Returns false and
  /// shows why (keeping the current choice) when it is neither a builtin nor a pipeline folder.
  bool setCurrentModel(const QString& model);
  QString errorText() const;  ///< the last refusal shown; empty when none

 signals:
  void modelChanged(QString model);

 private:
  void browse();
  void rebuild(const QString& select);

  QComboBox* combo_;
  QPushButton* browse_;
  QLabel* error_;
  QStringList builtin_, recent_;
  QString current_;
};

/// Empty when `folder` is a diffusers pipeline folder (has model_index.json), else the sentence
/// that says why not ("/x/y has no model_index.json: pick the pipeline's top folder").
QString check_pipeline_folder(const QString& folder);

}  // namespace spstudio::ui
