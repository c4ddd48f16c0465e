// SPDX-License-Identifier: Apache-2.0
// SweepForm: the benchmark sweep's parameters, validated before the request leaves the form.
#include "ui/comparison/sweep_form.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <stdexcept>

#include "common/profiling/bench_results.h"

namespace spstudio::ui {
namespace {

QSpinBox* spin_box(QWidget* parent, const char* name, int low, int high, int value, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setObjectName(QString::fromLatin1(name));
  box->setRange(low, high);
  box->setValue(value);
  box->setToolTip(tip);
  return box;
}

}  // namespace

SweepForm::SweepForm(QWidget* parent)
    : QWidget(parent),
      configs_(new QLineEdit(QStringLiteral("1x1,2x1,1x2,2x2"), this)),
      steps_(spin_box(this, "sweepSteps", 1, 1000, 4, tr("Denoising steps per image"))),
      repeat_(spin_box(this, "sweepRepeat", 1, 100, 3, tr("Measured images per configuration"))),
      warmup_(spin_box(this, "sweepWarmup", 0, 100, 1, tr("Images run first and not measured"))),
      height_(spin_box(this, "sweepHeight", 16, 8192, 256, tr("Image height in pixels"))),
      width_(spin_box(this, "sweepWidth", 16, 8192, 256, tr("Image width in pixels"))),
      run_(new QPushButton(tr("Run sweep"), this)),
      status_(new QLabel(this)) {
  setObjectName(QStringLiteral("sweepForm"));
  configs_->setObjectName(QStringLiteral("sweepConfigs"));
  configs_->setToolTip(tr("Configurations UxR (Ulysses x ring degree), comma-separated: 1x1,2x1,1x2,2x2"));
  for (QSpinBox* size : {height_, width_})
    size->setSingleStep(16);
  run_->setObjectName(QStringLiteral("runSweepButton"));
  run_->setToolTip(tr("Benchmark every configuration with the same seed and prompt"));
  status_->setObjectName(QStringLiteral("sweepStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* form = new QFormLayout(this);
  form->addRow(tr("&Configurations"), configs_);
  form->addRow(tr("&Steps"), steps_);
  form->addRow(tr("&Repeat"), repeat_);
  form->addRow(tr("&Warm-up"), warmup_);
  form->addRow(tr("&Height"), height_);
  form->addRow(tr("W&idth"), width_);
  form->addRow(run_);
  form->addRow(status_);

  connect(run_, &QPushButton::clicked, this, &SweepForm::requestSweep);
  connect(configs_, &QLineEdit::returnPressed, this, [this] {
    if (run_->isEnabled()) requestSweep();
  });
}

SweepRequest SweepForm::request() const {
  SweepRequest request;
  request.configs = bench::parse_config_list(configs_->text().remove(' ').toStdString());
  request.steps = steps_->value();
  request.repeat = repeat_->value();
  request.warmup = warmup_->value();
  request.height = height_->value();
  request.width = width_->value();
  return request;
}

void SweepForm::setRunning(bool running) {
  running_ = running;
  run_->setEnabled(!running);
}

void SweepForm::showStatus(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? QStringLiteral("color: #c62828") : QString());
}

void SweepForm::requestSweep() {
  if (running_) return;
  SweepRequest sweep;
  try {
    sweep = request();
  } catch (const std::invalid_argument& e) {
    showStatus(tr("Configurations: %1").arg(QString::fromStdString(e.what())), true);
    configs_->setFocus();
    return;
  }
  setRunning(true);
  showStatus(tr("Sweep of %n configuration(s) requested…", nullptr, static_cast<int>(sweep.configs.size())));
  emit sweepRequested(sweep);
}

}  // namespace spstudio::ui
