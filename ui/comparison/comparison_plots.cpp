// SPDX-License-Identifier: Apache-2.0
// The comparison view's bar plots: the step time stacked into compute / all-to-all / ring P2P /
// other with p25..p75 error bars, and peak memory per rank; runs side by side in each category.
#include "ui/comparison/comparison_plots.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "ui/comparison/comparison_series.h"
#include "ui/comparison/plot_style.h"
#include "ui/rank_colors.h"

namespace spstudio::ui {

using namespace plot_style;

namespace {

const std::array<QColor, 4> kPartColors = {QColor(0x00, 0x72, 0xB2), QColor(0xE6, 0x9F, 0x00), QColor(0x00, 0x9E, 0x73),
                                           QColor(0x99, 0x99, 0x99)};

std::array<QString, 4> part_names() {
  return {QObject::tr("compute (attention)"), QObject::tr("all-to-all"), QObject::tr("ring P2P"), QObject::tr("other")};
}

QString ms(double value) {
  return QStringLiteral("%1 ms").arg(value, 0, 'f', 1);
}

/// One run's stack of four parts and its quartile error bars; returns the highest value drawn.
double draw_run_steps(QCustomPlot* plot, const PlotRun& run, const std::vector<int>& index, double offset,
                      double width) {
  const std::vector<StepSplit> splits = step_splits(*run.run);
  const std::array<QString, 4> parts = part_names();
  QVector<double> keys, medians, below_median, above_median;
  std::array<QVector<double>, 4> values;
  std::array<QStringList, 4> tips;
  QStringList spread_tips;
  double top = 0;
  for (std::size_t k = 0; k < index.size(); ++k) {
    if (index[k] < 0) continue;
    const StepSplit& split = splits[static_cast<std::size_t>(index[k])];
    const std::array<double, 4> part_ms = {split.compute_ms, split.all_to_all_ms, split.ring_p2p_ms, split.other_ms};
    const QString where = run.label + kDot + q(split.label) + QStringLiteral(": ");
    keys << static_cast<double>(k) + offset;
    for (std::size_t j = 0; j < 4; ++j) {
      values[j] << part_ms[j];
      const double percent = split.median_ms > 0 ? 100 * part_ms[j] / split.median_ms : 0;
      tips[j] << where + parts[j] +
                     QStringLiteral(" %1 (%2 % of the median step)").arg(ms(part_ms[j])).arg(percent, 0, 'f', 1);
    }
    medians << split.median_ms;
    below_median << split.median_ms - split.p25_ms;
    above_median << split.p75_ms - split.median_ms;
    spread_tips << where + QObject::tr("step median %1, error bar p25 %2 .. p75 %3 (rank 0's measured steps)")
                               .arg(ms(split.median_ms), ms(split.p25_ms), ms(split.p75_ms));
    top = std::max({top, split.p75_ms, std::accumulate(part_ms.begin(), part_ms.end(), 0.0)});
  }
  QCPBars* below = nullptr;
  for (std::size_t j = 0; j < 4; ++j) {
    QCPBars* bars =
        add_bars(plot, run.label + kDot + parts[j], kPartColors[j], run.second, width, keys, values[j], tips[j]);
    bars->setStackingGap(0);
    if (below) bars->moveAbove(below);
    below = bars;
  }
  // The error bars hang on an invisible graph at the median: the top of the stack (the shares sum to 1).
  auto* centre = new QCPGraph(plot->xAxis, plot->yAxis);
  centre->setName(run.label + kDot + QObject::tr("median step"));
  centre->setLineStyle(QCPGraph::lsNone);
  centre->setData(keys, medians, true);
  centre->removeFromLegend();
  auto* spread = new QCPErrorBars(plot->xAxis, plot->yAxis);
  spread->setName(run.label + kDot + QObject::tr("step p25\u2013p75"));
  spread->setDataPlottable(centre);
  spread->setData(below_median, above_median);
  spread->setPen(QPen(Qt::black, 1.5));
  spread->setWhiskerWidth(8);
  spread->setProperty(kTipsProperty, spread_tips);
  spread->removeFromLegend();
  return top;
}

}  // namespace

void draw_step_breakdown(QCustomPlot* plot, const std::vector<PlotRun>& runs) {
  reset(plot);
  const AlignedConfigs aligned = align_configs(bench_runs(runs));
  set_category_axis(plot->xAxis, aligned.labels);
  plot->xAxis->setLabel(QObject::tr("configuration U x R"));
  plot->yAxis->setLabel(QObject::tr("ms per step (median)"));
  double top = 0;
  for (std::size_t s = 0; s < runs.size(); ++s)
    top = std::max(top,
                   draw_run_steps(plot, runs[s], aligned.index[s], run_offset(s, runs.size()), run_width(runs.size())));
  if (!runs.empty()) {
    const std::array<QString, 4> parts = part_names();
    for (std::size_t j = 0; j < 4; ++j)
      add_legend_key(plot, parts[j], QBrush(kPartColors[j]), QPen(kPartColors[j].darker(130)));
    add_run_keys(plot, runs);
    auto* key = new QCPErrorBars(plot->xAxis, plot->yAxis);  // legend only: the error bars' meaning
    key->setName(QObject::tr("step p25\u2013p75"));
    key->setPen(QPen(Qt::black, 1.5));
  }
  plot->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
  finish(plot, !runs.empty(), no_run_hint());
}

void draw_memory(QCustomPlot* plot, const std::vector<PlotRun>& runs) {
  reset(plot);
  const AlignedConfigs aligned = align_configs(bench_runs(runs));
  set_category_axis(plot->xAxis, aligned.labels);
  plot->xAxis->setLabel(QObject::tr("configuration U x R"));
  plot->yAxis->setLabel(QObject::tr("peak memory per rank (MiB)"));
  double top = 0;
  std::size_t most_ranks = 0;
  for (std::size_t s = 0; s < runs.size(); ++s) {
    const std::vector<RankMemory> memory = memory_per_rank(*runs[s].run);
    std::size_t ranks = 0;
    for (const RankMemory& m : memory)
      ranks = std::max(ranks, m.mib.size());
    most_ranks = std::max(most_ranks, ranks);
    if (ranks == 0) continue;
    // Side by side within the run's share of the category, rank 0 first.
    auto* group = new QCPBarsGroup(plot);
    group->setSpacingType(QCPBarsGroup::stAbsolute);
    group->setSpacing(1);
    for (std::size_t r = 0; r < ranks; ++r) {
      QVector<double> keys, values;
      QStringList tips;
      for (std::size_t k = 0; k < aligned.labels.size(); ++k) {
        const int i = aligned.index[s][k];
        if (i < 0 || memory[static_cast<std::size_t>(i)].mib.size() <= r) continue;
        const double mib = memory[static_cast<std::size_t>(i)].mib[r];
        keys << static_cast<double>(k) + run_offset(s, runs.size());
        values << mib;
        tips << runs[s].label + kDot + q(aligned.labels[k]) + kDot +
                    QObject::tr("rank %1: %2 MiB").arg(r).arg(mib, 0, 'f', 1);
        top = std::max(top, mib);
      }
      QCPBars* bars =
          add_bars(plot, runs[s].label + kDot + QObject::tr("rank %1").arg(r), rank_color(static_cast<int>(r)),
                   runs[s].second, run_width(runs.size()) / static_cast<double>(ranks), keys, values, tips);
      bars->setBarsGroup(group);
    }
  }
  for (std::size_t r = 0; r < most_ranks; ++r) {
    const QColor color = rank_color(static_cast<int>(r));
    add_legend_key(plot, QObject::tr("rank %1").arg(r), QBrush(color), QPen(color.darker(130)));
  }
  if (!runs.empty()) add_run_keys(plot, runs);
  plot->yAxis->setRange(0, top > 0 ? top * 1.2 : 1);
  finish(plot, !runs.empty(), no_run_hint());
}

}  // namespace spstudio::ui
