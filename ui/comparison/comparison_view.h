// SPDX-License-Identifier: Apache-2.0
// The configuration comparison view: up to two benchmark sweeps (run A and the optional run B,
// each a bench::BenchRun from `spstudio-cli bench --json`, a file or a sweep run from the form)
// side by side in four QCustomPlot plots — step time split into compute / all-to-all / ring P2P /
// other with p25..p75 error bars ("stepBreakdownPlot"), speed-up against ranks with the ideal line
// ("speedupPlot"), images/s over U × R for the run chosen in "heatmapRunCombo"
// ("throughputHeatmap"), peak memory per rank ("memoryPlot") — the sortable results table
// ("resultsTable"), and the sweep form ("sweepForm"). Exports the table as CSV and the plots as
// PNG or PDF.
#pragma once

#include <QString>
#include <QWidget>
#include <array>
#include <optional>

#include "common/profiling/bench_results.h"
#include "ui/comparison/sweep_request.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace spstudio::ui {

class ResultsTableModel;
class SweepForm;

class ComparisonView : public QWidget {
  Q_OBJECT
 public:
  explicit ComparisonView(QWidget* parent = nullptr);

  /// slot 0 = run A, 1 = run B; other slots are ignored. Redraws every plot and the table.
  void setRun(int slot, const spstudio::bench::BenchRun& run, const QString& label);
  void clearRun(int slot);
  bool hasRun(int slot) const;
  QString runLabel(int slot) const;  ///< empty when the slot is empty
  /// Reads a "spstudio-bench/1" file into the slot, labelled with the file's base name. Returns ""
  /// or the error naming the file (bench_from_json's field text); the runs are kept on error.
  QString loadRunFile(int slot, const QString& path);
  /// The results table as CSV, written atomically. "" or the error.
  QString exportCsv(const QString& path) const;
  /// Writes <base>-step-breakdown, -speedup, -throughput-heatmap and -memory as .png or .pdf
  /// (format "png" or "pdf"). "" or the error.
  QString exportPlots(const QString& path_base, const QString& format) const;

  QCustomPlot* plot(const QString& object_name) const;  ///< nullptr for an unknown name
  ResultsTableModel* results() const { return results_; }
  SweepForm* sweepForm() const { return sweep_form_; }

 signals:
  void sweepRequested(spstudio::ui::SweepRequest request);

 public slots:
  void showSweepProgress(QString text);
  /// The finished sweep becomes run A (label "sweep HH:MM"); the previous run A moves to B.
  void showSweepFinished(spstudio::bench::BenchRun run);
  void showSweepFailed(QString error);

 private:
  struct LabelledRun {
    bench::BenchRun run;
    QString label;
  };

  QWidget* buildToolbar();
  QWidget* buildPlots();
  void runsChanged();
  void refillHeatmapRuns();
  void redrawHeatmap();
  void showStatus(const QString& text, bool error);
  void browseRun(int slot);
  void browseCsv();
  void browsePlots();

  std::array<std::optional<LabelledRun>, 2> runs_;
  QCustomPlot* step_plot_ = nullptr;
  QCustomPlot* speedup_plot_ = nullptr;
  QCustomPlot* heatmap_plot_ = nullptr;
  QCustomPlot* memory_plot_ = nullptr;
  QComboBox* heatmap_run_ = nullptr;
  ResultsTableModel* results_ = nullptr;
  QSortFilterProxyModel* sorted_results_ = nullptr;
  QTableView* table_ = nullptr;
  SweepForm* sweep_form_ = nullptr;
  QLabel* status_ = nullptr;
  QPushButton* clear_b_ = nullptr;
  QPushButton* export_csv_ = nullptr;
  QPushButton* export_plots_ = nullptr;
};

}  // namespace spstudio::ui
