// SPDX-License-Identifier: Apache-2.0
// ComparisonView: the layout, the two run slots, file loading and the sweep hand-off.
#include "ui/comparison/comparison_view.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTime>
#include <QToolTip>
#include <QVBoxLayout>
#include <exception>
#include <vector>

#include "ui/comparison/comparison_plots.h"
#include "ui/comparison/results_table_model.h"
#include "ui/comparison/sweep_form.h"

namespace spstudio::ui {
namespace {

QCustomPlot* make_plot(QWidget* parent, const char* name) {
  auto* plot = new QCustomPlot(parent);
  plot->setObjectName(QString::fromLatin1(name));
  // Hover explains every bar, point and cell: run, configuration, value (and the quartiles).
  QObject::connect(plot, &QCustomPlot::mouseMove, plot, [plot](QMouseEvent* event) {
    const QString tip = plot_tooltip(plot, event->pos());
    if (tip.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(event->globalPosition().toPoint(), tip, plot);
  });
  return plot;
}

}  // namespace

ComparisonView::ComparisonView(QWidget* parent)
    : QWidget(parent),
      results_(new ResultsTableModel(this)),
      sorted_results_(new QSortFilterProxyModel(this)),
      table_(new QTableView(this)),
      sweep_form_(new SweepForm(this)),
      status_(new QLabel(this)) {
  setObjectName(QStringLiteral("comparisonView"));
  sorted_results_->setObjectName(QStringLiteral("resultsProxy"));
  sorted_results_->setSourceModel(results_);
  sorted_results_->setSortRole(ResultsTableModel::SortRole);  // numbers sort as numbers
  table_->setObjectName(QStringLiteral("resultsTable"));
  table_->setModel(sorted_results_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // run order until the user picks a column
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  status_->setObjectName(QStringLiteral("comparisonStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* sweep_box = new QGroupBox(tr("Benchmark sweep"), this);
  auto* sweep_layout = new QVBoxLayout(sweep_box);
  sweep_layout->addWidget(sweep_form_);
  sweep_layout->addStretch(1);

  auto* left = new QSplitter(Qt::Vertical, this);
  left->addWidget(buildPlots());
  left->addWidget(table_);
  left->setStretchFactor(0, 3);
  left->setStretchFactor(1, 1);
  auto* main = new QSplitter(Qt::Horizontal, this);
  main->addWidget(left);
  main->addWidget(sweep_box);
  main->setStretchFactor(0, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(buildToolbar());
  layout->addWidget(main, 1);

  connect(sweep_form_, &SweepForm::sweepRequested, this, &ComparisonView::sweepRequested);
  runsChanged();
}

QWidget* ComparisonView::buildToolbar() {
  auto* bar = new QWidget(this);
  auto* load = new QPushButton(tr("Load run…"), bar);
  load->setObjectName(QStringLiteral("loadRunButton"));
  load->setToolTip(tr("Open a benchmark run (spstudio-cli bench --json) as run A or run B"));
  auto* menu = new QMenu(load);
  menu->addAction(tr("As run A…"), this, [this] { browseRun(0); });
  menu->addAction(tr("As run B (beside A)…"), this, [this] { browseRun(1); });
  load->setMenu(menu);
  clear_b_ = new QPushButton(tr("Clear B"), bar);
  clear_b_->setObjectName(QStringLiteral("clearBButton"));
  export_csv_ = new QPushButton(tr("Export CSV…"), bar);
  export_csv_->setObjectName(QStringLiteral("exportCsvButton"));
  export_csv_->setToolTip(tr("The results table of both runs as comma-separated values"));
  export_plots_ = new QPushButton(tr("Export plots…"), bar);
  export_plots_->setObjectName(QStringLiteral("exportPlotsButton"));
  export_plots_->setToolTip(tr("The four plots as PNG or PDF files (by the extension chosen)"));
  connect(clear_b_, &QPushButton::clicked, this, [this] { clearRun(1); });
  connect(export_csv_, &QPushButton::clicked, this, &ComparisonView::browseCsv);
  connect(export_plots_, &QPushButton::clicked, this, &ComparisonView::browsePlots);
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(0, 0, 0, 0);
  for (QPushButton* button : {load, clear_b_, export_csv_, export_plots_})
    row->addWidget(button);
  row->addWidget(status_, 1);
  return bar;
}

QWidget* ComparisonView::buildPlots() {
  auto* plots = new QWidget(this);
  step_plot_ = make_plot(plots, "stepBreakdownPlot");
  setup_plot(step_plot_, tr("Step time (median; bars p25\u2013p75)"));
  place_legend_below(step_plot_);
  speedup_plot_ = make_plot(plots, "speedupPlot");
  setup_plot(speedup_plot_, tr("Speed-up (labels: efficiency)"));
  place_legend_below(speedup_plot_);
  heatmap_plot_ = make_plot(plots, "throughputHeatmap");
  setup_heatmap(heatmap_plot_);
  memory_plot_ = make_plot(plots, "memoryPlot");
  setup_plot(memory_plot_, tr("Peak memory per rank"));
  place_legend_below(memory_plot_);

  heatmap_run_ = new QComboBox(plots);
  heatmap_run_->setObjectName(QStringLiteral("heatmapRunCombo"));
  heatmap_run_->setToolTip(tr("The run the heatmap shows"));
  connect(heatmap_run_, qOverload<int>(&QComboBox::currentIndexChanged), this, &ComparisonView::redrawHeatmap);
  auto* heatmap = new QWidget(plots);
  auto* heatmap_layout = new QVBoxLayout(heatmap);
  heatmap_layout->setContentsMargins(0, 0, 0, 0);
  auto* chooser = new QHBoxLayout;
  auto* chooser_label = new QLabel(tr("Heatmap of &run"), heatmap);
  chooser_label->setBuddy(heatmap_run_);
  chooser->addWidget(chooser_label);
  chooser->addWidget(heatmap_run_, 1);
  heatmap_layout->addLayout(chooser);
  heatmap_layout->addWidget(heatmap_plot_, 1);

  auto* grid = new QGridLayout(plots);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->addWidget(step_plot_, 0, 0);
  grid->addWidget(speedup_plot_, 0, 1);
  grid->addWidget(heatmap, 1, 0);
  grid->addWidget(memory_plot_, 1, 1);
  for (int i = 0; i < 2; ++i) {  // four equal plots, whatever their legends' sizes
    grid->setRowStretch(i, 1);
    grid->setColumnStretch(i, 1);
  }
  return plots;
}

void ComparisonView::setRun(int slot, const bench::BenchRun& run, const QString& label) {
  if (slot < 0 || slot >= static_cast<int>(runs_.size())) return;
  runs_[static_cast<std::size_t>(slot)] = LabelledRun{run, label};
  results_->setRun(slot, run, label);
  runsChanged();
}

void ComparisonView::clearRun(int slot) {
  if (slot < 0 || slot >= static_cast<int>(runs_.size())) return;
  runs_[static_cast<std::size_t>(slot)].reset();
  results_->clearRun(slot);
  runsChanged();
}

bool ComparisonView::hasRun(int slot) const {
  return slot >= 0 && slot < static_cast<int>(runs_.size()) && runs_[static_cast<std::size_t>(slot)].has_value();
}

QString ComparisonView::runLabel(int slot) const {
  return hasRun(slot) ? runs_[static_cast<std::size_t>(slot)]->label : QString();
}

void ComparisonView::runsChanged() {
  std::vector<PlotRun> shown;
  for (std::size_t slot = 0; slot < runs_.size(); ++slot) {
    if (!runs_[slot]) continue;
    QString label = runs_[slot]->label;
    // Two runs of one name (two sweeps of the same minute) still need two legend entries.
    const std::size_t other = 1 - slot;
    if (runs_[other] && runs_[other]->label == label) label += slot == 0 ? tr(" (A)") : tr(" (B)");
    shown.push_back(PlotRun{&runs_[slot]->run, label, slot == 1});
  }
  draw_step_breakdown(step_plot_, shown);
  draw_speedup(speedup_plot_, shown);
  draw_memory(memory_plot_, shown);
  refillHeatmapRuns();
  clear_b_->setEnabled(hasRun(1));
  export_csv_->setEnabled(hasRun(0) || hasRun(1));
  export_plots_->setEnabled(hasRun(0) || hasRun(1));
}

void ComparisonView::refillHeatmapRuns() {
  const QVariant previous = heatmap_run_->currentData();
  {
    const QSignalBlocker block(heatmap_run_);
    heatmap_run_->clear();
    for (int slot = 0; slot < static_cast<int>(runs_.size()); ++slot) {
      if (hasRun(slot)) heatmap_run_->addItem((slot == 0 ? tr("A: ") : tr("B: ")) + runLabel(slot), slot);
    }
    const int keep = heatmap_run_->findData(previous);
    heatmap_run_->setCurrentIndex(keep >= 0 ? keep : 0);
  }
  heatmap_run_->setEnabled(heatmap_run_->count() > 1);
  redrawHeatmap();
}

void ComparisonView::redrawHeatmap() {
  const QVariant slot = heatmap_run_->currentData();
  if (!slot.isValid() || !hasRun(slot.toInt())) {
    draw_throughput_heatmap(heatmap_plot_, nullptr);
    return;
  }
  const LabelledRun& run = *runs_[static_cast<std::size_t>(slot.toInt())];
  const PlotRun shown{&run.run, run.label, slot.toInt() == 1};
  draw_throughput_heatmap(heatmap_plot_, &shown);
}

QString ComparisonView::loadRunFile(int slot, const QString& path) {
  QString error;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    error = tr("cannot read '%1': %2").arg(path, file.errorString());
  } else {
    try {
      const bench::BenchRun run = bench::bench_from_json(file.readAll().toStdString());
      if (run.configs.empty()) {
        error = tr("'%1': bench JSON: configs: no configurations were measured").arg(path);
      } else {
        setRun(slot, run, QFileInfo(path).completeBaseName());
        showStatus(tr("Loaded %1 as run %2").arg(path, slot == 0 ? "A" : "B"), false);
        return {};
      }
    } catch (const std::exception& e) {
      error = QStringLiteral("'%1': %2").arg(path, QString::fromStdString(e.what()));
    }
  }
  showStatus(error, true);
  return error;
}

void ComparisonView::showStatus(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? QStringLiteral("color: #c62828") : QString());
}

QCustomPlot* ComparisonView::plot(const QString& object_name) const {
  for (QCustomPlot* p : {step_plot_, speedup_plot_, heatmap_plot_, memory_plot_})
    if (p->objectName() == object_name) return p;
  return nullptr;
}

void ComparisonView::showSweepProgress(QString text) {
  sweep_form_->showStatus(text);
}

void ComparisonView::showSweepFinished(bench::BenchRun run) {
  if (runs_[0]) setRun(1, runs_[0]->run, runs_[0]->label);
  const std::size_t configs = run.configs.size();
  setRun(0, run, tr("sweep %1").arg(QTime::currentTime().toString(QStringLiteral("HH:mm"))));
  sweep_form_->setRunning(false);
  sweep_form_->showStatus(
      tr("Sweep finished: %n configuration(s), shown as run A", nullptr, static_cast<int>(configs)));
}

void ComparisonView::showSweepFailed(QString error) {
  sweep_form_->setRunning(false);
  sweep_form_->showStatus(tr("Sweep failed: %1").arg(error), true);
}

void ComparisonView::browseRun(int slot) {
  const QString path = QFileDialog::getOpenFileName(this, slot == 0 ? tr("Load run A") : tr("Load run B"), QString(),
                                                    tr("Benchmark runs (*.json);;All files (*)"));
  if (!path.isEmpty()) loadRunFile(slot, path);
}

void ComparisonView::browseCsv() {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export results as CSV"), QString(), tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  const QString error = exportCsv(path);
  showStatus(error.isEmpty() ? tr("Wrote %1").arg(path) : error, !error.isEmpty());
}

void ComparisonView::browsePlots() {
  QString filter;
  const QString path = QFileDialog::getSaveFileName(this, tr("Export plots (one file per plot)"), QString(),
                                                    tr("PNG images (*.png);;PDF documents (*.pdf)"), &filter);
  if (path.isEmpty()) return;
  QString format = QFileInfo(path).suffix().toLower();
  QString base = path;
  if (format == QLatin1String("png") || format == QLatin1String("pdf"))
    base.chop(format.size() + 1);
  else
    format = filter.contains(QLatin1String("pdf")) ? QStringLiteral("pdf") : QStringLiteral("png");
  const QString error = exportPlots(base, format);
  showStatus(error.isEmpty() ? tr("Wrote %1-*.%2").arg(base, format) : error, !error.isEmpty());
}

}  // namespace spstudio::ui
