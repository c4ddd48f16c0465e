// SPDX-License-Identifier: Apache-2.0
// ComparisonView fed from the recorded sweeps: the plotted bars, error bars, speed-up points, ideal
// line, heatmap cells and memory bars read back from QCustomPlot and compared with numbers taken from
// the JSON; two runs side by side; exports; broken files; the sweep form and the sweep slots.
#include <qcustomplot.h>

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "tests/ui/comparison/bench_fixture.h"
#include "tests/ui/comparison/csv_reader.h"
#include "ui/comparison/comparison_plots.h"
#include "ui/comparison/comparison_view.h"
#include "ui/comparison/results_table_model.h"
#include "ui/comparison/sweep_form.h"
#include "ui/rank_colors.h"

using namespace spstudio;
using namespace spstudio::testing;
using namespace spstudio::ui;

namespace {

const QString kDot = QStringLiteral(" \u00b7 ");
const QString kLabel256 = QStringLiteral("bench-tiny-flux-256-4configs");
const QString kLabel384 = QStringLiteral("bench-tiny-flux-384-4configs");

template <typename T>
T* plottable_named(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (plot->plottable(i)->name() == name) return qobject_cast<T*>(plot->plottable(i));
  return nullptr;
}

/// Plottables of a type that draw data (the legend keys have none).
template <typename T>
int count_of(QCustomPlot* plot) {
  int n = 0;
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (auto* p = qobject_cast<T*>(plot->plottable(i))) n += !p->interface1D() || p->interface1D()->dataCount() > 0;
  return n;
}

QStringList legend_names(QCustomPlot* plot) {
  QStringList names;
  for (int i = 0; i < plot->legend->itemCount(); ++i)
    if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i))) names << item->plottable()->name();
  return names;
}

/// Keys and values of a bars' or graph's data, in key order.
template <typename Plottable>
QVector<QPointF> points(Plottable* plottable) {
  QVector<QPointF> result;
  for (auto it = plottable->data()->constBegin(); it != plottable->data()->constEnd(); ++it)
    result << QPointF(it->key, it->value);
  return result;
}

bool near(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

void compare_points(const QVector<QPointF>& actual, const QVector<QPointF>& expected) {
  QCOMPARE(actual.size(), expected.size());
  for (int i = 0; i < actual.size(); ++i) {
    QVERIFY2(near(actual[i].x(), expected[i].x()) && near(actual[i].y(), expected[i].y()),
             qPrintable(QStringLiteral("point %1: (%2, %3), expected (%4, %5)")
                            .arg(i)
                            .arg(actual[i].x())
                            .arg(actual[i].y())
                            .arg(expected[i].x())
                            .arg(expected[i].y())));
  }
}

/// The stack part of each configuration (share × median step) at key index + offset.
QVector<QPointF> expected_part(const QJsonArray& configs, const char* share, double offset) {
  QVector<QPointF> expected;
  for (int i = 0; i < configs.size(); ++i)
    expected << QPointF(i + offset, field(configs[i], "time_share", share) * field(configs[i], "step_ms", "median"));
  return expected;
}

void write_file(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(bytes);
}

QByteArray read_head(const QString& path, int n) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.read(n) : QByteArray();
}

}  // namespace

class TestComparisonView : public QObject {
  Q_OBJECT
 private slots:
  void widgets_are_named() {
    ComparisonView view;
    QCOMPARE(view.objectName(), QStringLiteral("comparisonView"));
    for (const char* name : {"stepBreakdownPlot", "speedupPlot", "throughputHeatmap", "memoryPlot"}) {
      QVERIFY2(view.findChild<QCustomPlot*>(name) != nullptr, name);
      QCOMPARE(view.plot(QString::fromLatin1(name)), view.findChild<QCustomPlot*>(name));
    }
    QVERIFY(view.plot("nothing") == nullptr);
    QVERIFY(view.findChild<QTableView*>("resultsTable"));
    QVERIFY(view.findChild<QWidget*>("sweepForm"));
    QVERIFY(view.findChild<QPushButton*>("runSweepButton"));
    QVERIFY(view.findChild<QLabel*>("sweepStatus"));
    QCOMPARE(view.findChild<QLineEdit*>("sweepConfigs")->text(), QStringLiteral("1x1,2x1,1x2,2x2"));
    QVERIFY(!view.findChild<QPushButton*>("clearBButton")->isEnabled());
  }

  void step_breakdown_stacks_the_parts_with_quartile_error_bars() {
    ComparisonView view;
    QCOMPARE(view.loadRunFile(0, fixture_path(kBench256)), QString());
    QCustomPlot* plot = view.plot("stepBreakdownPlot");
    const QJsonArray configs = fixture_configs(kBench256);
    auto* compute = plottable_named<QCPBars>(plot, kLabel256 + kDot + "compute (attention)");
    auto* a2a = plottable_named<QCPBars>(plot, kLabel256 + kDot + "all-to-all");
    auto* ring = plottable_named<QCPBars>(plot, kLabel256 + kDot + "ring P2P");
    auto* other = plottable_named<QCPBars>(plot, kLabel256 + kDot + "other");
    QVERIFY(compute && a2a && ring && other);
    QCOMPARE(count_of<QCPBars>(plot), 4);
    compare_points(points(compute), expected_part(configs, "attention", 0));
    compare_points(points(a2a), expected_part(configs, "all_to_all", 0));
    compare_points(points(ring), expected_part(configs, "ring_p2p", 0));
    compare_points(points(other), expected_part(configs, "other", 0));
    QVERIFY(near(points(a2a)[1].y(), 17.4659115159));  // 2x1, by hand: 23.64 % of 73.887 ms
    // Stacked bottom to top: compute, all-to-all, ring P2P, other.
    QCOMPARE(compute->barBelow(), nullptr);
    QCOMPARE(a2a->barBelow(), compute);
    QCOMPARE(ring->barBelow(), a2a);
    QCOMPARE(other->barBelow(), ring);
    // Configuration labels on the x axis, in run order.
    auto ticker = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().values(), (QList<QString>{"1x1", "2x1", "1x2", "2x2"}));

    auto* spread = plottable_named<QCPErrorBars>(plot, kLabel256 + kDot + "step p25\u2013p75");
    QVERIFY(spread);
    auto* centre = qobject_cast<QCPGraph*>(spread->dataPlottable());
    QVERIFY(centre);
    QVector<QPointF> medians;
    for (int i = 0; i < configs.size(); ++i)
      medians << QPointF(i, field(configs[i], "step_ms", "median"));
    compare_points(points(centre), medians);
    QCOMPARE(spread->data()->size(), 4);
    for (int i = 0; i < configs.size(); ++i) {
      const QCPErrorBarsData& e = spread->data()->at(i);
      QVERIFY(near(e.errorMinus, field(configs[i], "step_ms", "median") - field(configs[i], "step_ms", "p25")));
      QVERIFY(near(e.errorPlus, field(configs[i], "step_ms", "p75") - field(configs[i], "step_ms", "median")));
    }
    QVERIFY(plot->legend->visible());
    // The legend names each colour and the run once, and what the error bars show.
    QCOMPARE(legend_names(plot), (QStringList{"compute (attention)", "all-to-all", "ring P2P", "other", kLabel256,
                                              QStringLiteral("step p25\u2013p75")}));
  }

  void hover_names_the_run_configuration_and_value() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    const QJsonObject c = config_named(fixture_configs(kBench256), "2x1");
    QCustomPlot* plot = view.plot("stepBreakdownPlot");
    plot->resize(800, 500);
    plot->replot();  // lays the axes out, so coordinates map to pixels
    const double compute = field(c, "time_share", "attention") * field(c, "step_ms", "median");
    const QPoint inside(int(plot->xAxis->coordToPixel(1)), int(plot->yAxis->coordToPixel(compute / 2)));
    QCOMPARE(plot_tooltip(plot, inside),
             "A" + kDot + "2x1: compute (attention) " + QString::number(compute, 'f', 1) + " ms (" +
                 QString::number(100 * field(c, "time_share", "attention"), 'f', 1) + " % of the median step)");
    QCOMPARE(plot_tooltip(plot, QPoint(2, 2)), QString());  // the margin: nothing

    QCustomPlot* heatmap = view.plot("throughputHeatmap");
    heatmap->resize(600, 500);
    heatmap->replot();
    const QPoint cell(int(heatmap->xAxis->coordToPixel(1)), int(heatmap->yAxis->coordToPixel(0)));  // U2 x R1
    QCOMPARE(plot_tooltip(heatmap, cell),
             "A" + kDot + "U2 \u00d7 R1: " + QString::number(field(c, "images_per_s"), 'f', 3) + " images/s");
  }

  void speedup_points_and_ideal_line() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    QCustomPlot* plot = view.plot("speedupPlot");
    const QJsonArray configs = fixture_configs(kBench256);
    auto* graph = plottable_named<QCPGraph>(plot, "A" + kDot + "speed-up");
    QVERIFY(graph);
    const double base = field(config_named(configs, "1x1"), "images_per_s");
    // Keyed by world: 1x1 (1), 2x1 and 1x2 (2, in run order), 2x2 (4).
    compare_points(points(graph), {{1, 1.0},
                                   {2, field(config_named(configs, "2x1"), "images_per_s") / base},
                                   {2, field(config_named(configs, "1x2"), "images_per_s") / base},
                                   {4, field(config_named(configs, "2x2"), "images_per_s") / base}});
    auto* ideal = plottable_named<QCPGraph>(plot, QStringLiteral("ideal (world \u00f7 1)"));
    QVERIFY(ideal);
    compare_points(points(ideal), {{1, 1}, {2, 2}, {4, 4}});
    QCOMPARE(legend_names(plot), (QStringList{"A" + kDot + "speed-up", QStringLiteral("ideal (world \u00f7 1)")}));
    // The efficiency is written beside each point: 2x1 is 90 % (1.7995x of the ideal 2x).
    bool labelled = false;
    for (int i = 0; i < plot->itemCount(); ++i)
      if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) labelled |= text->text() == "2x1 90 %";
    QVERIFY(labelled);
  }

  void heatmap_cells_are_images_per_second_over_u_and_r() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    QCustomPlot* plot = view.plot("throughputHeatmap");
    const QJsonArray configs = fixture_configs(kBench256);
    QCOMPARE(count_of<QCPColorMap>(plot), 1);
    auto* map = qobject_cast<QCPColorMap*>(plot->plottable(0));
    QCOMPARE(map->data()->keySize(), 2);
    QCOMPARE(map->data()->valueSize(), 2);
    QCOMPARE(map->data()->cell(0, 0), field(config_named(configs, "1x1"), "images_per_s"));
    QCOMPARE(map->data()->cell(1, 0), field(config_named(configs, "2x1"), "images_per_s"));
    QCOMPARE(map->data()->cell(0, 1), field(config_named(configs, "1x2"), "images_per_s"));
    QCOMPARE(map->data()->cell(1, 1), field(config_named(configs, "2x2"), "images_per_s"));
    QVERIFY(map->colorScale() != nullptr);
    QStringList labels;
    for (int i = 0; i < plot->itemCount(); ++i)
      if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) labels << text->text();
    labels.sort();
    QCOMPARE(labels, (QStringList{"1.52", "1.56", "2.22", "2.74"}));

    bench::BenchRun partial = fixture_run(kBench256);
    partial.configs.pop_back();  // no 2x2: a blank cell, no label
    view.setRun(0, partial, "A");
    map = qobject_cast<QCPColorMap*>(plot->plottable(0));
    QVERIFY(std::isnan(map->data()->cell(1, 1)));
    QCOMPARE(plot->itemCount(), 3);
  }

  void memory_bars_per_rank_in_rank_colours() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    QCustomPlot* plot = view.plot("memoryPlot");
    const QJsonArray configs = fixture_configs(kBench256);
    QCOMPARE(count_of<QCPBars>(plot), 4);  // ranks 0..3 (2x2 has four)
    for (int rank = 0; rank < 4; ++rank) {
      auto* bars = plottable_named<QCPBars>(plot, QStringLiteral("A") + kDot + QStringLiteral("rank %1").arg(rank));
      QVERIFY(bars);
      QCOMPARE(bars->brush().color(), rank_color(rank));
      QVERIFY(bars->barsGroup() != nullptr);
      QVector<QPointF> expected;
      for (int i = 0; i < configs.size(); ++i) {
        const QJsonArray bytes = configs[i].toObject().value("peak_memory_bytes").toArray();
        if (rank < bytes.size()) expected << QPointF(i, bytes[rank].toDouble() / kBytesPerMiB);
      }
      compare_points(points(bars), expected);
    }
    QCOMPARE(legend_names(plot), (QStringList{"rank 0", "rank 1", "rank 2", "rank 3", "A"}));
    QCOMPARE(plottable_named<QCPBars>(plot, "rank 2")->brush().color(), rank_color(2));
    QCOMPARE(points(plottable_named<QCPBars>(plot, "A" + kDot + "rank 1"))[0].y(),
             213.0625);  // 2x1 rank 1: 223412224 bytes
  }

  void two_runs_side_by_side() {
    ComparisonView view;
    QCOMPARE(view.loadRunFile(0, fixture_path(kBench256)), QString());
    QCOMPARE(view.loadRunFile(1, fixture_path(kBench384)), QString());
    QVERIFY(view.findChild<QPushButton*>("clearBButton")->isEnabled());
    QCustomPlot* steps = view.plot("stepBreakdownPlot");
    QCOMPARE(count_of<QCPBars>(steps), 8);
    QCOMPARE(count_of<QCPErrorBars>(steps), 2);
    // A left of each configuration's centre, B right of it, each with its own numbers.
    auto* a = plottable_named<QCPBars>(steps, kLabel256 + kDot + "compute (attention)");
    auto* b = plottable_named<QCPBars>(steps, kLabel384 + kDot + "compute (attention)");
    QVERIFY(a && b);
    compare_points(points(a), expected_part(fixture_configs(kBench256), "attention", -0.2));
    compare_points(points(b), expected_part(fixture_configs(kBench384), "attention", 0.2));
    QCOMPARE(a->brush().style(), Qt::SolidPattern);
    QCOMPARE(b->brush().style(), Qt::BDiagPattern);  // run B hatched
    const QStringList legend = legend_names(steps);
    QVERIFY(legend.contains(kLabel256) && legend.contains(kLabel384));
    QCOMPARE(plottable_named<QCPBars>(steps, kLabel256)->brush().style(), Qt::SolidPattern);
    QCOMPARE(plottable_named<QCPBars>(steps, kLabel384)->brush().style(), Qt::BDiagPattern);

    QCustomPlot* speedup = view.plot("speedupPlot");
    auto* b_speedup = plottable_named<QCPGraph>(speedup, kLabel384 + kDot + "speed-up");
    QVERIFY(plottable_named<QCPGraph>(speedup, kLabel256 + kDot + "speed-up") && b_speedup);
    const QJsonArray b_configs = fixture_configs(kBench384);
    QVERIFY(
        near(points(b_speedup).back().y(), field(b_configs[3], "images_per_s") / field(b_configs[0], "images_per_s")));

    auto* memory = plottable_named<QCPBars>(view.plot("memoryPlot"), kLabel384 + kDot + "rank 3");
    QVERIFY(memory);
    compare_points(points(memory),
                   {{3.2, b_configs[3].toObject().value("peak_memory_bytes").toArray()[3].toDouble() / kBytesPerMiB}});

    // The heatmap shows the chosen run.
    auto* combo = view.findChild<QComboBox*>("heatmapRunCombo");
    QCOMPARE(combo->count(), 2);
    QCustomPlot* heatmap = view.plot("throughputHeatmap");
    QCOMPARE(qobject_cast<QCPColorMap*>(heatmap->plottable(0))->data()->cell(1, 1),
             field(fixture_configs(kBench256)[3], "images_per_s"));
    combo->setCurrentIndex(1);
    QCOMPARE(qobject_cast<QCPColorMap*>(heatmap->plottable(0))->data()->cell(1, 1),
             field(b_configs[3], "images_per_s"));

    QCOMPARE(view.results()->rowCount(), 8);
    view.findChild<QPushButton*>("clearBButton")->click();
    QVERIFY(!view.hasRun(1));
    QCOMPARE(view.results()->rowCount(), 4);
    QCOMPARE(count_of<QCPBars>(steps), 4);
    QCOMPARE(combo->count(), 1);
  }

  void runs_with_different_configurations_share_one_axis() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    bench::BenchRun b = fixture_run(kBench384);
    b.configs[2].degrees = {4, 1};  // 1x2 → 4x1, only in B
    view.setRun(1, b, "B");
    QCustomPlot* plot = view.plot("stepBreakdownPlot");
    auto ticker = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QCOMPARE(ticker->ticks().values(), (QList<QString>{"1x1", "2x1", "1x2", "2x2", "4x1"}));
    const QVector<QPointF> b_other = points(plottable_named<QCPBars>(plot, "B" + kDot + "other"));
    QCOMPARE(b_other.size(), 4);
    QVERIFY(near(b_other[2].x(), 3.2));  // 2x2
    QVERIFY(near(b_other[3].x(), 4.2));  // 4x1
  }

  void table_sorts_by_images_per_second_numerically() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    view.setRun(1, fixture_run(kBench384), "B");
    auto* table = view.findChild<QTableView*>("resultsTable");
    table->sortByColumn(ResultsTableModel::ImagesPerSecondColumn, Qt::DescendingOrder);
    QAbstractItemModel* sorted = table->model();
    QVector<double> values;
    for (int row = 0; row < sorted->rowCount(); ++row)
      values
          << sorted->index(row, ResultsTableModel::ImagesPerSecondColumn).data(ResultsTableModel::SortRole).toDouble();
    QCOMPARE(values.size(), 8);
    QVERIFY(std::is_sorted(values.rbegin(), values.rend()));
    QCOMPARE(values.front(), field(fixture_configs(kBench256)[1], "images_per_s"));  // 256's 2x1: 2.743
    QCOMPARE(values.back(), field(fixture_configs(kBench384)[0], "images_per_s"));   // 384's 1x1: 0.869
  }

  void csv_export_writes_the_table() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    QTemporaryDir dir;
    const QString path = dir.filePath("runs.csv");
    QCOMPARE(view.exportCsv(path), QString());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QVector<QStringList> records = read_csv(QString::fromUtf8(file.readAll()));
    QCOMPARE(records.size(), 5);
    QCOMPARE(records[0][ResultsTableModel::ImagesPerSecondColumn], QStringLiteral("Images/s"));
    QCOMPARE(records[2][ResultsTableModel::ConfigColumn], QStringLiteral("2x1"));
    QCOMPARE(records[2][ResultsTableModel::ImagesPerSecondColumn].toDouble(),
             field(fixture_configs(kBench256)[1], "images_per_s"));
    QVERIFY(view.exportCsv(dir.filePath("missing/folder/runs.csv")).contains("missing/folder/runs.csv"));
  }

  void plots_export_as_png_and_pdf() {
    ComparisonView view;
    view.setRun(0, fixture_run(kBench256), "A");
    view.setRun(1, fixture_run(kBench384), "B");
    QTemporaryDir dir;
    const QString base = dir.filePath("sweep");
    QCOMPARE(view.exportPlots(base, "png"), QString());
    QCOMPARE(view.exportPlots(base, "PDF"), QString());
    for (const char* name : {"step-breakdown", "speedup", "throughput-heatmap", "memory"}) {
      const QString png = QStringLiteral("%1-%2.png").arg(base, QString::fromLatin1(name));
      const QString pdf = QStringLiteral("%1-%2.pdf").arg(base, QString::fromLatin1(name));
      QVERIFY2(QFileInfo(png).size() > 1000, qPrintable(png));
      QCOMPARE(read_head(png, 4), QByteArray("\x89PNG"));
      QVERIFY2(QFileInfo(pdf).size() > 1000, qPrintable(pdf));
      QCOMPARE(read_head(pdf, 4), QByteArray("%PDF"));
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 8);  // no partial files left behind
    QVERIFY(view.exportPlots(base, "svg").contains("svg"));
  }

  void broken_files_keep_the_runs_and_name_the_file() {
    ComparisonView view;
    QCOMPARE(view.loadRunFile(0, fixture_path(kBench256)), QString());
    QTemporaryDir dir;
    const QString broken = dir.filePath("broken.json");
    write_file(broken, "{ \"format\": \"spstudio-bench/1\", ");
    QString error = view.loadRunFile(0, broken);
    QVERIFY2(error.contains(broken) && error.contains("not valid JSON"), qPrintable(error));
    QByteArray text = fixture_bytes(kBench384);
    text.replace("\"median\": 122.725171", "\"median\": \"fast\"");  // configs[1] of the 384 sweep
    const QString wrong_field = dir.filePath("wrong-field.json");
    write_file(wrong_field, text);
    error = view.loadRunFile(1, wrong_field);
    QVERIFY2(error.contains(wrong_field) && error.contains("configs[1].step_ms.median"), qPrintable(error));
    error = view.loadRunFile(1, dir.filePath("absent.json"));
    QVERIFY2(error.contains(dir.filePath("absent.json")), qPrintable(error));
    QCOMPARE(view.findChild<QLabel*>("comparisonStatus")->text(), error);
    // Run A is still the 256 sweep, and there is still no run B.
    QCOMPARE(view.runLabel(0), kLabel256);
    QVERIFY(!view.hasRun(1));
    QCOMPARE(view.results()->rowCount(), 4);
    QCOMPARE(count_of<QCPBars>(view.plot("stepBreakdownPlot")), 4);
  }

  void sweep_form_emits_the_parsed_request_and_refuses_bad_configs() {
    ComparisonView view;
    QSignalSpy requested(&view, &ComparisonView::sweepRequested);
    auto* configs = view.findChild<QLineEdit*>("sweepConfigs");
    auto* run = view.findChild<QPushButton*>("runSweepButton");
    auto* status = view.findChild<QLabel*>("sweepStatus");
    configs->setText("2y1");
    run->click();
    QCOMPARE(requested.count(), 0);
    QVERIFY2(status->text().contains("\"2y1\" is not a configuration"), qPrintable(status->text()));
    QVERIFY(run->isEnabled());

    configs->setText("1x1, 4x2");
    view.findChild<QSpinBox*>("sweepSteps")->setValue(7);
    view.findChild<QSpinBox*>("sweepHeight")->setValue(384);
    run->click();
    QCOMPARE(requested.count(), 1);
    const SweepRequest request = requested.at(0).at(0).value<SweepRequest>();
    QCOMPARE(request.configs.size(), std::size_t(2));
    QVERIFY((request.configs[0] == ParallelConfig{1, 1}));
    QVERIFY((request.configs[1] == ParallelConfig{4, 2}));
    QCOMPARE(request.steps, 7);
    QCOMPARE(request.repeat, 3);
    QCOMPARE(request.warmup, 1);
    QCOMPARE(request.height, 384);
    QCOMPARE(request.width, 256);
    QVERIFY(!run->isEnabled());  // while the sweep runs
    run->click();
    QCOMPARE(requested.count(), 1);

    view.showSweepProgress("2x1: image 2/3");
    QCOMPARE(status->text(), QStringLiteral("2x1: image 2/3"));
    view.showSweepFailed("rank 1 exited");
    QVERIFY(run->isEnabled());
    QVERIFY(status->text().contains("rank 1 exited"));
  }

  void a_finished_sweep_becomes_run_a_and_a_moves_to_b() {
    ComparisonView view;
    QCOMPARE(view.loadRunFile(0, fixture_path(kBench256)), QString());
    view.findChild<QPushButton*>("runSweepButton")->click();
    view.showSweepFinished(fixture_run(kBench384));
    QVERIFY(view.runLabel(0).startsWith("sweep "));
    QCOMPARE(view.runLabel(0).size(), QStringLiteral("sweep HH:MM").size());
    QCOMPARE(view.runLabel(1), kLabel256);
    QVERIFY(view.findChild<QPushButton*>("runSweepButton")->isEnabled());
    QCOMPARE(view.results()->rowCount(), 8);
    auto* a = plottable_named<QCPBars>(view.plot("stepBreakdownPlot"), view.runLabel(0) + kDot + "other");
    QVERIFY(a);
    compare_points(points(a), expected_part(fixture_configs(kBench384), "other", -0.2));
  }
};

QTEST_MAIN(TestComparisonView)
#include "test_comparison_view.moc"
