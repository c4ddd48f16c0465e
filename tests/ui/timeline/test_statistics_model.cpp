// SPDX-License-Identifier: Apache-2.0
// StatisticsModel under QAbstractItemModelTester: headers with per-rank columns, display texts, the
// numeric sort role through a QSortFilterProxyModel, and resets as the selection changes.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QtTest>

#include "ui/timeline/statistics_model.h"

using spstudio::ui::NameStatistics;
using spstudio::ui::RangeStatistics;
using spstudio::ui::StatisticsModel;

namespace {

NameStatistics name_stats(const char* name, std::size_t count, double mean, double total, std::optional<double> share) {
  NameStatistics s;
  s.name = name;
  s.count = count;
  s.mean_ms = mean;
  s.p50_ms = mean;
  s.p95_ms = 2 * mean;
  s.total_ms = total;
  s.share_of_step = share;
  return s;
}

/// Totals 50, 12 and 4 ms sort as text "12.000" < "4.000" < "50.000": only numbers sort right.
RangeStatistics sample() {
  RangeStatistics stats;
  stats.ranks = {0, 3};
  stats.names = {name_stats("step", 3, 16.5, 50, 1.0), name_stats("attention", 3, 4, 12, 0.25),
                 name_stats("all_to_all", 30, 0.125, 4, std::nullopt)};
  stats.names[1].per_rank = {{2, 3.0, 6.0}, {1, 6.0, 6.0}};
  stats.names[0].per_rank = {{2, 15, 30}, {1, 20, 20}};
  stats.names[2].per_rank = {{30, 0.125, 4}, {0, 0, 0}};
  return stats;
}

QString text(const QAbstractItemModel& model, int row, int column) {
  return model.data(model.index(row, column)).toString();
}

}  // namespace

class TestStatisticsModel : public QObject {
  Q_OBJECT

 private slots:
  void columns_follow_the_ranks() {
    StatisticsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 7);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setStatistics(sample());
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 7 + 3 * 2);
    QStringList headers;
    for (int c = 0; c < model.columnCount(); ++c)
      headers << model.headerData(c, Qt::Horizontal).toString();
    QCOMPARE(headers,
             QStringList({"name", "count", "mean ms", "p50 ms", "p95 ms", "total ms", "share of step", "rank 0 count",
                          "rank 0 mean ms", "rank 0 total ms", "rank 3 count", "rank 3 mean ms", "rank 3 total ms"}));
    QVERIFY(!model.headerData(StatisticsModel::ShareColumn, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    model.setStatistics({});
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 7);
  }

  void cells_read_as_milliseconds_and_shares() {
    StatisticsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStatistics(sample());
    QCOMPARE(text(model, 1, StatisticsModel::NameColumn), QString("attention"));
    QCOMPARE(text(model, 1, StatisticsModel::CountColumn), QString("3"));
    QCOMPARE(text(model, 1, StatisticsModel::MeanColumn), QString("4.000"));
    QCOMPARE(text(model, 1, StatisticsModel::P95Column), QString("8.000"));
    QCOMPARE(text(model, 1, StatisticsModel::TotalColumn), QString("12.000"));
    QCOMPARE(text(model, 1, StatisticsModel::ShareColumn), QString("25.0 %"));
    QCOMPARE(text(model, 2, StatisticsModel::ShareColumn), QString("\u2014"));  // no step time
    QCOMPARE(text(model, 2, StatisticsModel::MeanColumn), QString("0.125"));
    const int rank3 = StatisticsModel::FirstRankColumn + StatisticsModel::kColumnsPerRank;
    QCOMPARE(text(model, 1, rank3), QString("1"));
    QCOMPARE(text(model, 1, rank3 + 1), QString("6.000"));
    QCOMPARE(text(model, 2, rank3), QString("0"));
    QCOMPARE(text(model, 2, rank3 + 1), QString("\u2014"));  // no ranges: no mean
    QCOMPARE(model.rowOf("all_to_all"), 2);
    QCOMPARE(model.rowOf("vae_decode"), -1);
    const auto alignment = model.data(model.index(0, StatisticsModel::TotalColumn), Qt::TextAlignmentRole).toInt();
    QVERIFY(alignment & Qt::AlignRight);
  }

  void the_proxy_sorts_numbers_as_numbers() {
    StatisticsModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(StatisticsModel::SortRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStatistics(sample());
    proxy.sort(StatisticsModel::TotalColumn, Qt::AscendingOrder);
    QCOMPARE(text(proxy, 0, 0), QString("all_to_all"));  // 4 < 12 < 50
    QCOMPARE(text(proxy, 1, 0), QString("attention"));
    QCOMPARE(text(proxy, 2, 0), QString("step"));
    proxy.sort(StatisticsModel::CountColumn, Qt::DescendingOrder);  // 30 > 3 (text: "3" > "30")
    QCOMPARE(text(proxy, 0, 0), QString("all_to_all"));
    proxy.sort(StatisticsModel::ShareColumn, Qt::AscendingOrder);  // no share sorts first
    QCOMPARE(text(proxy, 0, 0), QString("all_to_all"));
    QCOMPARE(text(proxy, 2, 0), QString("step"));
    proxy.sort(StatisticsModel::NameColumn, Qt::AscendingOrder);
    QCOMPARE(text(proxy, 0, 0), QString("all_to_all"));
    QCOMPARE(text(proxy, 2, 0), QString("step"));
    // A new selection re-sorts: attention alone remains.
    RangeStatistics fewer = sample();
    fewer.names.erase(fewer.names.begin());
    fewer.names.pop_back();
    model.setStatistics(fewer);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(text(proxy, 0, 0), QString("attention"));
  }
};

QTEST_MAIN(TestStatisticsModel)
#include "test_statistics_model.moc"
