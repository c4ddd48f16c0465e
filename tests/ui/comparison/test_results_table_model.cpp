// SPDX-License-Identifier: Apache-2.0
// ResultsTableModel: one row per (run, configuration) with the measured numbers of the recorded
// sweeps, rows of run A then run B while runs are set, replaced and cleared (checked by
// QAbstractItemModelTester), numeric sorting through a proxy, and the CSV read back with a separate
// RFC 4180 reader.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "tests/ui/comparison/bench_fixture.h"
#include "tests/ui/comparison/csv_reader.h"
#include "ui/comparison/results_table_model.h"

using namespace spstudio;
using namespace spstudio::testing;
using spstudio::ui::ResultsTableModel;

namespace {

double number(const ResultsTableModel& model, int row, int column) {
  return model.data(model.index(row, column), ResultsTableModel::SortRole).toDouble();
}
QString text(const QAbstractItemModel& model, int row, int column) {
  return model.data(model.index(row, column)).toString();
}
bool near(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

}  // namespace

class TestResultsTableModel : public QObject {
  Q_OBJECT
 private slots:
  void one_row_per_configuration_with_the_measured_numbers() {
    ResultsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(0, fixture_run(kBench256), "run 256");
    const QJsonArray configs = fixture_configs(kBench256);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), 16);
    QCOMPARE(model.headerData(ResultsTableModel::ImagesPerSecondColumn, Qt::Horizontal).toString(),
             QStringLiteral("Images/s"));
    const double base = field(config_named(configs, "1x1"), "images_per_s");
    for (int row = 0; row < 4; ++row) {
      const QJsonValue c = configs[row];
      QCOMPARE(text(model, row, ResultsTableModel::RunColumn), QStringLiteral("run 256"));
      QCOMPARE(text(model, row, ResultsTableModel::ConfigColumn), label_of(c));
      QCOMPARE(number(model, row, ResultsTableModel::WorldColumn), field(c, "world"));
      QCOMPARE(number(model, row, ResultsTableModel::StepMedianColumn), field(c, "step_ms", "median"));
      QCOMPARE(number(model, row, ResultsTableModel::StepP25Column), field(c, "step_ms", "p25"));
      QCOMPARE(number(model, row, ResultsTableModel::StepP75Column), field(c, "step_ms", "p75"));
      QCOMPARE(number(model, row, ResultsTableModel::ImagesPerSecondColumn), field(c, "images_per_s"));
      QVERIFY(near(number(model, row, ResultsTableModel::SpeedupColumn), field(c, "images_per_s") / base));
      QVERIFY(near(number(model, row, ResultsTableModel::EfficiencyColumn),
                   100 * field(c, "images_per_s") / base / field(c, "world")));
      QVERIFY(near(number(model, row, ResultsTableModel::AttentionColumn), 100 * field(c, "time_share", "attention")));
      QVERIFY(near(number(model, row, ResultsTableModel::AllToAllColumn), 100 * field(c, "time_share", "all_to_all")));
      QVERIFY(near(number(model, row, ResultsTableModel::RingP2pColumn), 100 * field(c, "time_share", "ring_p2p")));
      QVERIFY(near(number(model, row, ResultsTableModel::OtherColumn), 100 * field(c, "time_share", "other")));
      double peak = 0;
      for (const QJsonValue& bytes : c.toObject().value("peak_memory_bytes").toArray())
        peak = std::max(peak, bytes.toDouble());
      QVERIFY(near(number(model, row, ResultsTableModel::PeakMemoryColumn), peak / kBytesPerMiB));
      QCOMPARE(number(model, row, ResultsTableModel::StartupColumn), field(c, "startup_ms"));
    }
    // Display text, worked out by hand for 2x1: 73.887 ms, 2.743 images/s, 1.80×, 90 %, 236.3 MiB.
    QCOMPARE(text(model, 1, ResultsTableModel::StepMedianColumn), QStringLiteral("73.9"));
    QCOMPARE(text(model, 1, ResultsTableModel::ImagesPerSecondColumn), QStringLiteral("2.743"));
    QCOMPARE(text(model, 1, ResultsTableModel::SpeedupColumn), QStringLiteral("1.80\u00d7"));
    QCOMPARE(text(model, 1, ResultsTableModel::EfficiencyColumn), QStringLiteral("90 %"));
    QCOMPARE(text(model, 1, ResultsTableModel::PeakMemoryColumn), QStringLiteral("236.3"));
    QCOMPARE(text(model, 1, ResultsTableModel::WorldColumn), QStringLiteral("2"));
    QCOMPARE(text(model, 0, ResultsTableModel::DevicesColumn), QStringLiteral("cpu"));
    QCOMPARE(text(model, 3, ResultsTableModel::DevicesColumn), QStringLiteral("cpu \u00d74"));
  }

  void runs_set_replaced_and_cleared_keep_a_then_b() {
    ResultsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(1, fixture_run(kBench384), "B");  // B alone
    QCOMPARE(model.rowCount(), 4);
    model.setRun(0, fixture_run(kBench256), "A");  // A goes before B
    QCOMPARE(model.rowCount(), 8);
    QCOMPARE(text(model, 0, ResultsTableModel::RunColumn), QStringLiteral("A"));
    QCOMPARE(text(model, 4, ResultsTableModel::RunColumn), QStringLiteral("B"));
    QCOMPARE(number(model, 4, ResultsTableModel::ImagesPerSecondColumn),
             field(fixture_configs(kBench384)[0], "images_per_s"));
    bench::BenchRun small = fixture_run(kBench384);
    small.configs.resize(2);
    model.setRun(0, small, "A2");  // replaced by a shorter run
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(text(model, 1, ResultsTableModel::RunColumn), QStringLiteral("A2"));
    QCOMPARE(text(model, 2, ResultsTableModel::RunColumn), QStringLiteral("B"));
    model.clearRun(1);
    QCOMPARE(model.rowCount(), 2);
    model.clearRun(1);                  // already empty
    model.setRun(5, small, "nowhere");  // no such slot
    QCOMPARE(model.rowCount(), 2);
    model.setRun(1, small, "B2");
    model.clear();
    QCOMPARE(model.rowCount(), 0);
  }

  void proxy_sorts_numbers_as_numbers() {
    ResultsTableModel model;
    model.setRun(0, fixture_run(kBench256), "A");
    bench::BenchRun fast = fixture_run(kBench384);
    fast.configs[3].images_per_s = 12.5;  // "12.500" sorts before "2.743" as text
    model.setRun(1, fast, "B");
    QSortFilterProxyModel proxy;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setSourceModel(&model);
    proxy.setSortRole(ResultsTableModel::SortRole);

    QVector<double> expected;
    for (const QString& name : {kBench256, kBench384})
      for (const QJsonValue& c : fixture_configs(name))
        expected << field(c, "images_per_s");
    expected[7] = 12.5;
    std::sort(expected.begin(), expected.end());
    proxy.sort(ResultsTableModel::ImagesPerSecondColumn, Qt::AscendingOrder);
    for (int row = 0; row < proxy.rowCount(); ++row)
      QCOMPARE(text(proxy, row, ResultsTableModel::ImagesPerSecondColumn), QString::number(expected[row], 'f', 3));
    QCOMPARE(text(proxy, 7, ResultsTableModel::ImagesPerSecondColumn), QStringLiteral("12.500"));

    proxy.sort(ResultsTableModel::StepMedianColumn, Qt::DescendingOrder);  // 259.8 ms first, 73.9 ms last
    QCOMPARE(text(proxy, 0, ResultsTableModel::StepMedianColumn), QStringLiteral("259.8"));
    QCOMPARE(text(proxy, 7, ResultsTableModel::StepMedianColumn), QStringLiteral("73.9"));
  }

  void csv_reads_back_with_header_quoting_and_c_locale_numbers() {
    QLocale::setDefault(QLocale(QLocale::German));  // a decimal comma must not leak into the CSV
    ResultsTableModel model;
    model.setRun(0, fixture_run(kBench256), QStringLiteral("run \"256\", first"));
    bench::BenchRun zero = fixture_run(kBench384);
    zero.configs[0].images_per_s = 0;  // no baseline throughput: speed-up unknown
    model.setRun(1, zero, QStringLiteral("B"));
    bool crlf = false;
    const QVector<QStringList> records = read_csv(model.toCsv(), &crlf);
    QLocale::setDefault(QLocale::c());
    QVERIFY(crlf);
    QCOMPARE(records.size(), 9);
    QStringList header;
    for (int c = 0; c < model.columnCount(); ++c)
      header << model.headerData(c, Qt::Horizontal).toString();
    QCOMPARE(records[0], header);
    const QJsonArray configs = fixture_configs(kBench256);
    for (int row = 0; row < 4; ++row) {
      const QStringList& r = records[row + 1];
      QCOMPARE(r.size(), 16);
      QCOMPARE(r[ResultsTableModel::RunColumn], QStringLiteral("run \"256\", first"));
      QCOMPARE(r[ResultsTableModel::ConfigColumn], label_of(configs[row]));
      QCOMPARE(r[ResultsTableModel::WorldColumn], QString::number(field(configs[row], "world")));
      bool ok = false;
      QCOMPARE(r[ResultsTableModel::StepMedianColumn].toDouble(&ok), field(configs[row], "step_ms", "median"));
      QVERIFY(ok);
      QCOMPARE(r[ResultsTableModel::ImagesPerSecondColumn].toDouble(&ok), field(configs[row], "images_per_s"));
      QVERIFY(ok);
      QVERIFY(r[ResultsTableModel::StepP25Column].contains('.'));
    }
    QCOMPARE(records[4][ResultsTableModel::DevicesColumn], QStringLiteral("cpu \u00d74"));
    QCOMPARE(records[6][ResultsTableModel::SpeedupColumn], QString());  // unknown: empty, not "nan"
    QCOMPARE(records[6][ResultsTableModel::ImagesPerSecondColumn].toDouble(),
             field(fixture_configs(kBench384)[1], "images_per_s"));
    QCOMPARE(model.data(model.index(6, ResultsTableModel::SpeedupColumn)).toString(), QStringLiteral("\u2014"));
  }
};

QTEST_GUILESS_MAIN(TestResultsTableModel)
#include "test_results_table_model.moc"
