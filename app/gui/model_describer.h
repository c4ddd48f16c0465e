// SPDX-License-Identifier: Apache-2.0
// Learns a model's module tree and head counts without LibTorch in the GUI: runs
// `spworker --describe` in the background (QProcess, asynchronous) and hands over the manifest.
// A newer request supersedes an older one still running.
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <memory>

#include "common/manifest.h"

namespace spstudio::gui {

class ModelDescriber : public QObject {
  Q_OBJECT
 public:
  explicit ModelDescriber(QObject* parent = nullptr);
  ~ModelDescriber() override;

  void setWorkerProgram(const QString& program) { program_ = program; }
  void describe(const QString& model, int height, int width);

 signals:
  void described(QString model, spstudio::ModelManifest manifest);
  void failed(QString model, QString error);

 private:
  QString program_;
  std::unique_ptr<QProcess> process_;
};

}  // namespace spstudio::gui

Q_DECLARE_METATYPE(spstudio::ModelManifest)
