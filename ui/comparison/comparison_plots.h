// SPDX-License-Identifier: Apache-2.0
// The four QCustomPlot plots of the comparison view, drawn from up to two benchmark sweeps placed
// on one configuration axis (comparison_series.h). Each draw_* function replaces everything the
// plot shows; the view calls them when a run changes. Data plottables are named "<run label> · …"
// ("· compute (attention)", "· all-to-all", "· ring P2P", "· other", "· step p25–p75" error bars,
// "· speed-up", "· rank <r>"; the ideal line "ideal (world ÷ <baseline world>)"); the legend shows
// short keys instead (one per colour, one per run: solid A, hatched B), data-less plottables.
// Bar plots: comparison_plots.cpp; speed-up and heatmap: scaling_plots.cpp.
#pragma once

#include <QPoint>
#include <QString>
#include <vector>

#include "common/profiling/bench_results.h"

class QCustomPlot;

namespace spstudio::ui {

/// One run as the plots draw it; `second` draws it hatched (run B beside run A).
struct PlotRun {
  const bench::BenchRun* run = nullptr;
  QString label;
  bool second = false;
};

/// Title, legend and fonts shared by the four plots.
void setup_plot(QCustomPlot* plot, const QString& title);
/// Moves the legend under the axis rect (bar plots, whose legend would hide bars); after setup_plot.
void place_legend_below(QCustomPlot* plot);
/// setup_plot plus the colour scale of the heatmap (at the right of the axis rect).
void setup_heatmap(QCustomPlot* plot);

void draw_step_breakdown(QCustomPlot* plot, const std::vector<PlotRun>& runs);
void draw_speedup(QCustomPlot* plot, const std::vector<PlotRun>& runs);
/// `run` null: an empty heatmap.
void draw_throughput_heatmap(QCustomPlot* plot, const PlotRun* run);
void draw_memory(QCustomPlot* plot, const std::vector<PlotRun>& runs);

/// The tooltip of whatever is under `pos` (plot pixels): "<name> · 2x1: 35.2 ms"; empty for nothing.
QString plot_tooltip(QCustomPlot* plot, const QPoint& pos);

}  // namespace spstudio::ui
