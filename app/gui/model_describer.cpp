// SPDX-License-Identifier: Apache-2.0
#include "app/gui/model_describer.h"

namespace spstudio::gui {

ModelDescriber::ModelDescriber(QObject* parent) : QObject(parent) {
  qRegisterMetaType<ModelManifest>();
}

ModelDescriber::~ModelDescriber() {
  if (process_) {
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(2000);
  }
}

void ModelDescriber::describe(const QString& model, int height, int width) {
  if (process_) {  // superseded: its answer no longer matters
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(2000);
  }
  process_ = std::make_unique<QProcess>();
  QProcess* p = process_.get();
  connect(p, &QProcess::errorOccurred, this, [this, model, p](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart) emit failed(model, "cannot start " + program_ + ": " + p->errorString());
  });
  connect(p, &QProcess::finished, this, [this, model, p](int code, QProcess::ExitStatus status) {
    if (status != QProcess::NormalExit || code != 0) {
      const QStringList lines = QString::fromUtf8(p->readAllStandardError()).split('\n', Qt::SkipEmptyParts);
      emit failed(model, "describing " + model + " failed: " +
                             (lines.isEmpty() ? QString("exit code %1").arg(code) : lines.last().trimmed()));
      return;
    }
    try {
      emit described(model, manifest_from_json(p->readAllStandardOutput().toStdString()));
    } catch (const std::exception& e) {
      emit failed(model, QString("the manifest of ") + model + " does not parse: " + e.what());
    }
  });
  p->start(program_,
           {"--describe", "--model", model, "--height", QString::number(height), "--width", QString::number(width)});
}

}  // namespace spstudio::gui
