// SPDX-License-Identifier: Apache-2.0
// The generation parameters: prompt, negative prompt, size (multiples of 16), steps, guidance,
// true CFG scale, seed with its mode (fixed / increment / random) and a dice button, images per
// queue item, and how often a live preview is sent.
#pragma once

#include <QWidget>

#include "ui/generation_params.h"

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QToolButton;

namespace spstudio::ui {

class GenerationPanel : public QWidget {
  Q_OBJECT
 public:
  explicit GenerationPanel(QWidget* parent = nullptr);

  /// Sets the fields this panel owns (everything except model, degrees, device and plan).
  void setParams(const GenerationParams& params);
  /// Writes this panel's fields into params.
  void fillParams(GenerationParams& params) const;

  quint64 seed() const;
  void setSeed(quint64 seed);
  SeedMode seedMode() const;

  QPlainTextEdit* promptEdit() const { return prompt_; }  ///< the window focuses it

 signals:
  void paramsChanged();

 private:
  QPlainTextEdit* prompt_;
  QPlainTextEdit* negative_;
  QSpinBox* width_;
  QSpinBox* height_;
  QSpinBox* steps_;
  QDoubleSpinBox* guidance_;
  QDoubleSpinBox* true_cfg_;
  QLineEdit* seed_;
  QComboBox* seed_mode_;
  QToolButton* dice_;
  QSpinBox* images_;
  QSpinBox* preview_interval_;
};

}  // namespace spstudio::ui
