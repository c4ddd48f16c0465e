// SPDX-License-Identifier: Apache-2.0
// The comparison plots' shared layout and helpers.
#include "ui/comparison/plot_style.h"

#include <algorithm>

namespace spstudio::ui {
namespace plot_style {
namespace {

constexpr double kGroupWidth = 0.8;  // of one configuration's category, shared by the runs
const char* const kLegendBelowProperty = "spstudioLegendBelow";

/// An empty legend under the axis rect would cap the layout's width at its own: it leaves the
/// layout while empty and comes back with its items.
void place_legend(QCustomPlot* plot, bool shown) {
  if (!plot->property(kLegendBelowProperty).toBool()) return;
  QCPLayoutGrid* layout = plot->plotLayout();
  const bool placed = layout->rowCount() > 2 && layout->element(2, 0) == plot->legend;
  if (shown && !placed) {
    layout->addElement(2, 0, plot->legend);
    layout->setRowStretchFactor(2, 0.001);
  } else if (!shown && placed) {
    layout->take(plot->legend);
    layout->simplify();
  }
}

}  // namespace

QColor run_color(bool second) {
  return second ? QColor(0xD5, 0x5E, 0x00) : QColor(0x00, 0x72, 0xB2);
}

QBrush fill(const QColor& color, bool second) {
  return second ? QBrush(color, Qt::BDiagPattern) : QBrush(color);
}

void reset(QCustomPlot* plot) {
  plot->clearPlottables();
  plot->clearItems();
  for (QCPBarsGroup* group : plot->findChildren<QCPBarsGroup*>(QString(), Qt::FindDirectChildrenOnly))
    delete group;
}

void set_title(QCustomPlot* plot, const QString& text) {
  if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) title->setText(text);
}

QString no_run_hint() {
  return QObject::tr("Load a benchmark run (spstudio-cli bench --json) or run a sweep");
}

void finish(QCustomPlot* plot, bool has_data, const QString& empty_hint) {
  if (!has_data) {
    auto* hint = new QCPItemText(plot);
    hint->position->setType(QCPItemPosition::ptAxisRectRatio);
    hint->position->setCoords(0.5, 0.5);
    hint->setText(empty_hint);
    hint->setColor(Qt::gray);
  }
  const bool legend = has_data && plot->legend->itemCount() > 0;
  place_legend(plot, legend);
  plot->legend->setVisible(legend);
  plot->replot(QCustomPlot::rpQueuedReplot);  // coalesced: both runs may change in one event
}

void set_ticks(QCPAxis* axis, const QVector<double>& positions, const QVector<QString>& labels) {
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  ticker->setTicks(positions, labels);
  axis->setTicker(ticker);
}

void set_category_axis(QCPAxis* axis, const std::vector<std::string>& labels) {
  QVector<double> positions;
  QVector<QString> names;
  for (std::size_t k = 0; k < labels.size(); ++k) {
    positions << static_cast<double>(k);
    names << q(labels[k]);
  }
  set_ticks(axis, positions, names);
  axis->setRange(-0.6, std::max<double>(0.6, static_cast<double>(labels.size()) - 0.4));
}

std::vector<const bench::BenchRun*> bench_runs(const std::vector<PlotRun>& runs) {
  std::vector<const bench::BenchRun*> plain;
  for (const PlotRun& run : runs)
    plain.push_back(run.run);
  return plain;
}

double run_offset(std::size_t s, std::size_t n) {
  return (static_cast<double>(s) - static_cast<double>(n - 1) / 2.0) * kGroupWidth / static_cast<double>(n);
}

double run_width(std::size_t n) {
  return 0.9 * kGroupWidth / static_cast<double>(n);
}

QCPBars* add_bars(QCustomPlot* plot, const QString& name, const QColor& color, bool second, double width,
                  const QVector<double>& keys, const QVector<double>& values, const QStringList& tips) {
  auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
  bars->setName(name);
  bars->setBrush(fill(color, second));
  bars->setPen(QPen(color.darker(130)));
  bars->setWidth(width);
  bars->setData(keys, values, true);
  bars->setProperty(kTipsProperty, tips);
  bars->removeFromLegend();  // the legend keys name colours and runs once
  return bars;
}

void add_legend_key(QCustomPlot* plot, const QString& name, const QBrush& brush, const QPen& pen) {
  auto* key = new QCPBars(plot->xAxis, plot->yAxis);
  key->setName(name);
  key->setBrush(brush);
  key->setPen(pen);
  key->setSelectable(QCP::stNone);
}

void add_run_keys(QCustomPlot* plot, const std::vector<PlotRun>& runs) {
  const QColor grey(0x60, 0x60, 0x60);
  for (const PlotRun& run : runs)
    add_legend_key(plot, run.label, fill(grey, run.second), QPen(grey));
}

}  // namespace plot_style

void setup_plot(QCustomPlot* plot, const QString& title) {
  plot->plotLayout()->insertRow(0);
  QFont bold = plot->font();
  bold.setBold(true);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, bold));
  QFont small = plot->font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1));
  plot->legend->setFont(small);
  plot->legend->setBrush(QColor(255, 255, 255, 210));
  plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  plot->xAxis->grid()->setZeroLinePen(Qt::NoPen);  // x = 0 is the first category, not a zero
  plot->setMinimumSize(320, 220);
}

void place_legend_below(QCustomPlot* plot) {
  // Below the axis rect in rows: an inset legend would hide the tallest bars.
  plot->axisRect()->insetLayout()->take(plot->legend);
  plot->setProperty(plot_style::kLegendBelowProperty, true);  // placed by finish() while it has items
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->legend->setWrap(4);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setMargins(QMargins(4, 0, 4, 4));
}

QString plot_tooltip(QCustomPlot* plot, const QPoint& pos) {
  int index = -1;
  QCPAbstractPlottable* plottable = plot->plottableAt(pos, false, &index);
  if (!plottable) return {};
  const QStringList tips = plottable->property(plot_style::kTipsProperty).toStringList();
  if (auto* map = qobject_cast<QCPColorMap*>(plottable)) {
    double key = 0, value = 0;
    map->pixelsToCoords(pos, key, value);
    int column = 0, row = 0;
    map->data()->coordToCell(key, value, &column, &row);
    index = row * map->data()->keySize() + column;
  }
  return index >= 0 && index < tips.size() ? tips[index] : plottable->name();
}

}  // namespace spstudio::ui
