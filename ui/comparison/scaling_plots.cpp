// SPDX-License-Identifier: Apache-2.0
// The comparison view's scaling plots: speed-up against ranks with the ideal line and efficiency
// labels, and the images/s heatmap over the Ulysses × ring degrees of one run.
#include <algorithm>
#include <cmath>

#include "ui/comparison/comparison_plots.h"
#include "ui/comparison/comparison_series.h"
#include "ui/comparison/plot_style.h"

namespace spstudio::ui {

using namespace plot_style;

namespace {

QString heatmap_title() {
  return QObject::tr("Images/s over U \u00d7 R");
}

/// Efficiency label beside each point: run A's above, run B's below so the two do not collide;
/// at the largest world on the left of the point, inside the plot.
void label_point(QCustomPlot* plot, const PlotRun& run, const ScalingPoint& p, bool last_world) {
  auto* text = new QCPItemText(plot);
  text->position->setCoords(p.world, p.speedup);
  text->setPositionAlignment((last_world ? Qt::AlignRight : Qt::AlignLeft) |
                             (run.second ? Qt::AlignTop : Qt::AlignBottom));
  text->setPadding(QMargins(6, run.second ? 2 : 0, 6, run.second ? 0 : 2));
  text->setText(q(p.label) + QStringLiteral(" %1 %").arg(100 * p.efficiency, 0, 'f', 0));
  text->setColor(run_color(run.second).darker(120));
}

/// One run's points (keyed by world) and the line through the best configuration of each world.
void draw_run_scaling(QCustomPlot* plot, const PlotRun& run, const Scaling& scale, int last_world, double& top) {
  std::vector<ScalingPoint> points = scale.points;
  std::stable_sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.world < b.world; });
  QVector<double> keys, values, best_keys, best_values;
  QStringList tips;
  for (const ScalingPoint& p : points) {
    keys << p.world;
    values << p.speedup;
    if (!std::isnan(p.speedup)) top = std::max(top, p.speedup);
    tips << run.label + kDot + q(p.label) +
                QObject::tr(": speed-up %1\u00d7 (ideal %2\u00d7), efficiency %3 %, %4 images/s (baseline %5)")
                    .arg(p.speedup, 0, 'f', 2)
                    .arg(p.ideal, 0, 'f', 2)
                    .arg(100 * p.efficiency, 0, 'f', 0)
                    .arg(p.images_per_s, 0, 'f', 3)
                    .arg(q(scale.baseline_label));
    if (!best_keys.isEmpty() && best_keys.back() == p.world) {
      best_values.back() = std::max(best_values.back(), p.speedup);
    } else {
      best_keys << p.world;
      best_values << p.speedup;
    }
    label_point(plot, run, p, p.world == last_world);
  }
  const QColor color = run_color(run.second);
  auto* best = new QCPGraph(plot->xAxis, plot->yAxis);
  best->setName(run.label + kDot + QObject::tr("best per world"));
  best->setPen(QPen(color, 1.5));
  best->setData(best_keys, best_values, true);
  best->removeFromLegend();
  auto* graph = new QCPGraph(plot->xAxis, plot->yAxis);
  graph->setName(run.label + kDot + QObject::tr("speed-up"));
  graph->setLineStyle(QCPGraph::lsNone);
  graph->setScatterStyle(QCPScatterStyle(run.second ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssDisc, color,
                                         run.second ? Qt::white : color, 8));
  graph->setPen(QPen(color));
  graph->setData(keys, values, true);
  graph->setProperty(kTipsProperty, tips);
}

QCPColorGradient viridis() {
  QCPColorGradient gradient;  // perceptually uniform, readable in grey and with colour-vision deficiencies
  gradient.clearColorStops();
  gradient.setColorStopAt(0.0, QColor(0x44, 0x01, 0x54));
  gradient.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
  gradient.setColorStopAt(0.5, QColor(0x21, 0x91, 0x8c));
  gradient.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
  gradient.setColorStopAt(1.0, QColor(0xfd, 0xe7, 0x25));
  gradient.setNanHandling(QCPColorGradient::nhTransparent);  // configurations not measured stay blank
  return gradient;
}

QCPRange measured_range(const std::vector<double>& values) {
  bool any = false;
  QCPRange range(0, 0);
  for (double v : values) {
    if (std::isnan(v)) continue;
    range = any ? QCPRange(std::min(range.lower, v), std::max(range.upper, v)) : QCPRange(v, v);
    any = true;
  }
  if (range.size() <= 0) range = QCPRange(range.lower - 0.5, range.upper + 0.5);
  return range;
}

void set_degree_ticks(QCPAxis* axis, const std::vector<int>& degrees) {
  QVector<double> ticks;
  QVector<QString> names;
  for (std::size_t i = 0; i < degrees.size(); ++i) {
    ticks << static_cast<double>(i);
    names << QString::number(degrees[i]);
  }
  set_ticks(axis, ticks, names);
  axis->setRange(-0.5, static_cast<double>(degrees.size()) - 0.5);
}

}  // namespace

void draw_speedup(QCustomPlot* plot, const std::vector<PlotRun>& runs) {
  reset(plot);
  plot->xAxis->setLabel(QObject::tr("ranks (world size)"));
  plot->yAxis->setLabel(QObject::tr("speed-up (images/s \u00f7 baseline)"));
  std::vector<Scaling> scalings;
  std::vector<int> worlds, baseline_worlds;
  for (const PlotRun& run : runs) {
    scalings.push_back(scaling(*run.run));
    if (scalings.back().baseline < 0) continue;
    baseline_worlds.push_back(scalings.back().baseline_world);
    for (const ScalingPoint& p : scalings.back().points)
      worlds.push_back(p.world);
  }
  std::sort(worlds.begin(), worlds.end());
  worlds.erase(std::unique(worlds.begin(), worlds.end()), worlds.end());
  std::sort(baseline_worlds.begin(), baseline_worlds.end());
  baseline_worlds.erase(std::unique(baseline_worlds.begin(), baseline_worlds.end()), baseline_worlds.end());
  double top = 1;
  for (std::size_t s = 0; s < runs.size(); ++s)
    if (scalings[s].baseline >= 0) draw_run_scaling(plot, runs[s], scalings[s], worlds.back(), top);
  QVector<double> ticks;
  QVector<QString> tick_labels;
  for (int w : worlds) {
    ticks << w;
    tick_labels << QString::number(w);
  }
  set_ticks(plot->xAxis, ticks, tick_labels);
  for (int base : baseline_worlds) {  // one ideal line per baseline world: shared by runs alike
    QVector<double> ideal;
    for (int w : worlds) {
      ideal << static_cast<double>(w) / base;
      top = std::max(top, ideal.back());
    }
    auto* line = new QCPGraph(plot->xAxis, plot->yAxis);
    line->setName(baseline_worlds.size() == 1 ? QObject::tr("ideal (world \u00f7 %1)").arg(base)
                                              : QObject::tr("ideal from %1 rank(s)").arg(base));
    line->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    line->setData(ticks, ideal, true);
  }
  plot->xAxis->setRange(worlds.empty() ? 0.5 : worlds.front() - 0.5, worlds.empty() ? 4.5 : worlds.back() + 0.5);
  plot->yAxis->setRange(0, top * 1.15);
  finish(plot, !runs.empty(), no_run_hint());
}

void setup_heatmap(QCustomPlot* plot) {
  setup_plot(plot, heatmap_title());
  auto* scale = new QCPColorScale(plot);
  plot->plotLayout()->addElement(1, 1, scale);
  scale->axis()->setLabel(QObject::tr("images/s"));
  auto* margins = new QCPMarginGroup(plot);  // the scale as tall as the axis rect
  plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  plot->xAxis->setLabel(QObject::tr("Ulysses degree U"));
  plot->yAxis->setLabel(QObject::tr("ring degree R"));
}

void draw_throughput_heatmap(QCustomPlot* plot, const PlotRun* run) {
  reset(plot);
  if (!run || run->run->configs.empty()) {
    set_title(plot, heatmap_title());
    finish(plot, false, no_run_hint());
    return;
  }
  set_title(plot, heatmap_title() + kDot + run->label);
  const ThroughputGrid grid = throughput_grid(*run->run);
  const int columns = static_cast<int>(grid.ulysses.size()), rows = static_cast<int>(grid.ring.size());
  // Cells centred on 0..n-1 (QCustomPlot pads half a cell); a single cell needs a non-empty range.
  const auto range = [](int n) { return n == 1 ? QCPRange(-0.5, 0.5) : QCPRange(0, n - 1); };
  auto* map = new QCPColorMap(plot->xAxis, plot->yAxis);
  map->setName(run->label + kDot + QObject::tr("images/s"));
  map->data()->setSize(columns, rows);
  map->data()->setRange(range(columns), range(rows));
  map->setInterpolate(false);
  map->removeFromLegend();
  if (auto* scale = qobject_cast<QCPColorScale*>(plot->plotLayout()->element(1, 1))) map->setColorScale(scale);
  QCPColorGradient gradient = viridis();  // color() is not const
  const QCPRange values = measured_range(grid.images_per_s);
  map->setGradient(gradient);
  map->setDataRange(values);
  QStringList tips;
  for (int r = 0; r < rows; ++r) {
    for (int u = 0; u < columns; ++u) {
      const double v = grid.at(static_cast<std::size_t>(u), static_cast<std::size_t>(r));
      map->data()->setCell(u, r, v);
      const QString where = run->label + kDot +
                            QStringLiteral("U%1 \u00d7 R%2: ")
                                .arg(grid.ulysses[static_cast<std::size_t>(u)])
                                .arg(grid.ring[static_cast<std::size_t>(r)]);
      if (std::isnan(v)) {
        tips << where + QObject::tr("not measured");
        continue;
      }
      tips << where + QStringLiteral("%1 images/s").arg(v, 0, 'f', 3);
      auto* label = new QCPItemText(plot);
      label->position->setCoords(u, r);
      label->setText(QString::number(v, 'f', 2));
      label->setColor(QColor::fromRgb(gradient.color(v, values)).lightnessF() > 0.55 ? Qt::black : Qt::white);
    }
  }
  map->setProperty(kTipsProperty, tips);
  set_degree_ticks(plot->xAxis, grid.ulysses);
  set_degree_ticks(plot->yAxis, grid.ring);
  finish(plot, true, {});
}

}  // namespace spstudio::ui
