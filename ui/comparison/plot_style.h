// SPDX-License-Identifier: Apache-2.0
// What the comparison plots share (internal to ui/comparison): the title and legend layout, the
// category axis of configurations, where each run's bars sit in a category, run colours and
// hatching, per-point tooltips, and the coalesced replot that ends every draw.
#pragma once

#include <qcustomplot.h>

#include <QString>
#include <QStringList>
#include <string>
#include <vector>

#include "ui/comparison/comparison_plots.h"

namespace spstudio::ui::plot_style {

inline const QString kDot = QStringLiteral(" \u00b7 ");
/// The dynamic property holding a plottable's tooltips (QStringList, one per data point).
inline constexpr const char* kTipsProperty = "spstudioTips";

inline QString q(const std::string& text) {
  return QString::fromStdString(text);
}

/// Run A in blue, run B in vermillion (Okabe–Ito); B's bars are hatched so the runs read apart in print.
QColor run_color(bool second);
QBrush fill(const QColor& color, bool second);

/// Removes the plottables, items and bar groups of the previous draw.
void reset(QCustomPlot* plot);
void set_title(QCustomPlot* plot, const QString& text);
/// Shows `empty_hint` when there is nothing to draw, places the legend, queues a replot.
void finish(QCustomPlot* plot, bool has_data, const QString& empty_hint);
QString no_run_hint();

void set_ticks(QCPAxis* axis, const QVector<double>& positions, const QVector<QString>& labels);
/// Ticks 0..n-1 named by the configuration labels.
void set_category_axis(QCPAxis* axis, const std::vector<std::string>& labels);
std::vector<const bench::BenchRun*> bench_runs(const std::vector<PlotRun>& runs);
/// Where run `s` of `n` sits inside a configuration's category, and how wide its bars are.
double run_offset(std::size_t s, std::size_t n);
double run_width(std::size_t n);

QCPBars* add_bars(QCustomPlot* plot, const QString& name, const QColor& color, bool second, double width,
                  const QVector<double>& keys, const QVector<double>& values, const QStringList& tips);
/// A legend entry with no data: one per colour (parts, ranks) and one per run (solid or hatched)
/// keep the legend short where one entry per run and colour would not fit.
void add_legend_key(QCustomPlot* plot, const QString& name, const QBrush& brush, const QPen& pen);
/// Legend keys naming each run: grey, solid for A, hatched for B.
void add_run_keys(QCustomPlot* plot, const std::vector<PlotRun>& runs);

}  // namespace spstudio::ui::plot_style
