// SPDX-License-Identifier: Apache-2.0
// The parallel configuration: number of ranks (worker processes), the Ulysses degree U — only the
// values that work are offered: divisors of the rank count that divide every attention's head
// count (from the model manifest, when known) — and the ring degree R = ranks / U shown beside it;
// the device and an optional plan file. With a manifest and a plan file, the plan is validated
// (core/common) for the chosen degrees and the result shown under the panel.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "common/manifest.h"
#include "ui/generation_params.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace spstudio::ui {

/// The Ulysses degrees usable with `ranks` ranks: divisors of ranks, and of every head and kv-head
/// count in `heads` (empty: unknown, no head constraint). Ascending.
std::vector<int> valid_ulysses_degrees(int ranks, const std::vector<int>& heads);
/// The head and kv-head counts of every attention of the manifest that is not skip_sequence_parallel.
std::vector<int> attention_heads(const ModuleNode& root);
/// Why U is not offered for `ranks` ("4 ranks are not divisible by U=3", "the attention has 6 heads,
/// not divisible by U=4"); empty when it is valid.
QString ulysses_refusal(int ranks, int ulysses, const std::vector<int>& heads);

class ParallelConfigPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ParallelConfigPanel(QWidget* parent = nullptr);

  void setMaxRanks(int max_ranks);  ///< upper bound of the rank spin box (default 8)
  /// The model's manifest (from `spworker --describe`); nullopt: unknown yet. Re-filters U and
  /// re-validates the plan.
  void setManifest(const std::optional<ModelManifest>& manifest);

  /// Sets ranks, U, R, device and plan file from params (U snaps to the nearest valid value).
  void setParams(const GenerationParams& params);
  /// Writes ulysses_degree, ring_degree, device and plan_path into params.
  void fillParams(GenerationParams& params) const;

  int ranks() const;
  int ulyssesDegree() const;
  int ringDegree() const;
  /// The plan validation's verdict for the current choice: empty when fine or nothing to check.
  QString validationText() const;
  bool hasErrors() const;  ///< a plan file that does not parse or validate with errors
  /// The plan file's text (empty: shipped plan). Throws nothing: unreadable files are errors above.
  QString planJson() const;

 signals:
  void configChanged();

 private:
  void refillUlysses(int prefer);
  void revalidate();
  void browsePlan();

  QSpinBox* ranks_;
  QComboBox* ulysses_;
  QLabel* ring_;
  QComboBox* device_;
  QLineEdit* plan_path_;
  QLabel* validation_;
  std::optional<ModelManifest> manifest_;
  QString plan_json_;
  QString validation_text_;  ///< plain-text issues (validationText); the label shows them styled
  bool has_errors_ = false;
};

}  // namespace spstudio::ui
