// SPDX-License-Identifier: Apache-2.0
// The comparison view's sweep form: which configurations to benchmark ("1x1,2x1,1x2,2x2", checked
// with bench::parse_config_list), steps, repeats, warm-up and image size, a Run sweep button that
// stays disabled while a sweep runs, and a status line for progress and errors.
#pragma once

#include <QWidget>

#include "ui/comparison/sweep_request.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace spstudio::ui {

class SweepForm : public QWidget {
  Q_OBJECT
 public:
  explicit SweepForm(QWidget* parent = nullptr);

  /// The form's request; throws std::invalid_argument naming the bad configuration.
  SweepRequest request() const;
  /// While running, the Run sweep button is disabled.
  void setRunning(bool running);
  bool isRunning() const { return running_; }
  void showStatus(const QString& text, bool error = false);

 signals:
  /// Emitted by the Run sweep button when the configurations parse.
  void sweepRequested(spstudio::ui::SweepRequest request);

 private:
  void requestSweep();

  QLineEdit* configs_;
  QSpinBox* steps_;
  QSpinBox* repeat_;
  QSpinBox* warmup_;
  QSpinBox* height_;
  QSpinBox* width_;
  QPushButton* run_;
  QLabel* status_;
  bool running_ = false;
};

}  // namespace spstudio::ui
