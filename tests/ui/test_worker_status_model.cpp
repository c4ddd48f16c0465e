// SPDX-License-Identifier: Apache-2.0
// WorkerStatusModel under QAbstractItemModelTester: the columns' text, colours and tooltips, which
// cells each setter reports, reset versus dataChanged in setRows; format_bytes' units.
#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QtTest>
#include <limits>

#include "ui/models/worker_status_model.h"
#include "ui/rank_colors.h"

using spstudio::ui::WorkerRow;
using spstudio::ui::WorkerStatusModel;

namespace {

constexpr quint64 kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;
const QString kDash = QString::fromUtf8(u8"\u2014");

WorkerRow make_row(int rank, const QString& state = "ready") {
  WorkerRow row;
  row.rank = rank;
  row.state = state;
  row.device = QString("cuda:%1 NVIDIA H100").arg(rank);
  row.backend = "nccl";
  row.memory_bytes = 80 * kGiB;
  row.pid = 4000 + rank;
  return row;
}

QVector<WorkerRow> rows_of(int count) {
  QVector<WorkerRow> rows;
  for (int rank = 0; rank < count; ++rank)
    rows.push_back(make_row(rank));
  return rows;
}

QString text(const WorkerStatusModel& model, int row, int column) {
  return model.data(model.index(row, column), Qt::DisplayRole).toString();
}

}  // namespace

class TestWorkerStatusModel : public QObject {
  Q_OBJECT

 private slots:
  void format_bytes_uses_binary_units() {
    using spstudio::ui::format_bytes;
    QCOMPARE(format_bytes(0), kDash);
    QCOMPARE(format_bytes(100), QString("100 B"));
    QCOMPARE(format_bytes(512 * kKiB), QString("512 KiB"));
    QCOMPARE(format_bytes(243 * kMiB), QString("243 MiB"));
    QCOMPARE(format_bytes(3 * kGiB / 2), QString("1.5 GiB"));
    QCOMPARE(format_bytes(24 * kGiB), QString("24.0 GiB"));
    QCOMPARE(format_bytes(2 * 1024 * kGiB), QString("2.0 TiB"));
    // 1023.7 KiB would round to "1024 KiB": it reads as the next unit instead.
    QCOMPARE(format_bytes(1048269), QString("1 MiB"));
    QCOMPARE(format_bytes(std::numeric_limits<quint64>::max()), QString("16.0 EiB"));
  }

  void headers_and_columns() {
    WorkerStatusModel model;
    QCOMPARE(model.columnCount(), 6);
    const QStringList expected{"Rank", "State", "Device", "Memory", "PID", "Message"};
    for (int column = 0; column < expected.size(); ++column)
      QCOMPARE(model.headerData(column, Qt::Horizontal).toString(), expected[column]);
  }

  void display_text_per_column() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVector<WorkerRow> rows = rows_of(2);
    rows[1].message = "first line\nsecond line";
    rows[1].pid = 0;
    rows[1].memory_bytes = 0;
    model.setRows(rows);
    QCOMPARE(text(model, 0, WorkerStatusModel::RankColumn), QString("0"));
    QCOMPARE(text(model, 0, WorkerStatusModel::StateColumn), QString("ready"));
    QCOMPARE(text(model, 0, WorkerStatusModel::DeviceColumn), QString("cuda:0 NVIDIA H100"));
    QCOMPARE(text(model, 0, WorkerStatusModel::MemoryColumn), QString("80.0 GiB"));
    QCOMPARE(text(model, 0, WorkerStatusModel::PidColumn), QString("4000"));
    QCOMPARE(text(model, 0, WorkerStatusModel::MessageColumn), QString());
    QCOMPARE(text(model, 1, WorkerStatusModel::MemoryColumn), kDash);
    QCOMPARE(text(model, 1, WorkerStatusModel::PidColumn), kDash);
    QVERIFY(text(model, 1, WorkerStatusModel::MessageColumn).startsWith("first line"));
    QVERIFY(!text(model, 1, WorkerStatusModel::MessageColumn).contains("second line"));
    QCOMPARE(model.data(model.index(1, WorkerStatusModel::MessageColumn), Qt::ToolTipRole).toString(),
             QString("first line\nsecond line"));
    QVERIFY(model.data(model.index(0, WorkerStatusModel::DeviceColumn), Qt::ToolTipRole).toString().contains("nccl"));
  }

  void memory_column_with_the_peak() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVector<WorkerRow> rows = rows_of(2);
    rows[0].memory_bytes = 24 * kGiB;
    rows[1].memory_bytes = 0;
    model.setRows(rows);
    model.setPeak(0, 240 * kMiB);
    model.setPeak(1, 240 * kMiB);
    QCOMPARE(text(model, 0, WorkerStatusModel::MemoryColumn), QString("peak 240 MiB / 24.0 GiB"));
    QCOMPARE(text(model, 1, WorkerStatusModel::MemoryColumn), QString("peak 240 MiB"));
    QCOMPARE(model.rows()[0].peak_bytes, 240 * kMiB);
  }

  void rank_colour_and_failed_rows() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(rows_of(3));
    const QColor rank0 = model.data(model.index(0, WorkerStatusModel::RankColumn), Qt::DecorationRole).value<QColor>();
    const QColor rank1 = model.data(model.index(1, WorkerStatusModel::RankColumn), Qt::DecorationRole).value<QColor>();
    QCOMPARE(rank0, spstudio::ui::rank_color(0));
    QCOMPARE(rank1, spstudio::ui::rank_color(1));
    QVERIFY(rank0 != rank1);
    QVERIFY(!model.data(model.index(0, WorkerStatusModel::StateColumn), Qt::DecorationRole).isValid());

    QVERIFY(!model.data(model.index(2, WorkerStatusModel::StateColumn), Qt::ForegroundRole).isValid());
    model.setState(2, "failed", true);
    for (int column = 0; column < model.columnCount(); ++column) {
      const QColor color = model.data(model.index(2, column), Qt::ForegroundRole).value<QBrush>().color();
      QVERIFY2(color.red() > 2 * color.green() && color.red() > 2 * color.blue(), qPrintable(color.name()));
    }
    QVERIFY(!model.data(model.index(1, WorkerStatusModel::StateColumn), Qt::ForegroundRole).isValid());
    QCOMPARE(text(model, 2, WorkerStatusModel::StateColumn), QString("failed"));
  }

  void set_rows_resets_only_when_the_count_changes() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setRows(rows_of(2));
    QCOMPARE(reset.count(), 1);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(model.rowCount(), 2);

    QVector<WorkerRow> busy = rows_of(2);
    busy[0].state = "busy";
    model.setRows(busy);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(0, 0));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(1, WorkerStatusModel::ColumnCount - 1));
    QCOMPARE(text(model, 0, WorkerStatusModel::StateColumn), QString("busy"));

    model.setRows(rows_of(4));
    QCOMPARE(reset.count(), 2);
    QCOMPARE(model.rowCount(), 4);
    model.setRows({});
    QCOMPARE(reset.count(), 3);
    QCOMPARE(model.rowCount(), 0);
  }

  void setters_report_their_cells() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows(rows_of(3));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const auto first = [&](int i) { return changed.at(i).at(0).value<QModelIndex>(); };
    const auto last = [&](int i) { return changed.at(i).at(1).value<QModelIndex>(); };

    model.setState(1, "busy");  // not failing: only the state cell
    QCOMPARE(changed.count(), 1);
    QCOMPARE(first(0), model.index(1, WorkerStatusModel::StateColumn));
    QCOMPARE(last(0), model.index(1, WorkerStatusModel::StateColumn));

    model.setState(1, "failed", true);  // the whole row turns red
    QCOMPARE(changed.count(), 2);
    QCOMPARE(first(1), model.index(1, 0));
    QCOMPARE(last(1), model.index(1, WorkerStatusModel::ColumnCount - 1));
    QVERIFY(changed.at(1).at(2).value<QList<int>>().contains(Qt::ForegroundRole));

    model.setMessage(2, "lost the supervisor");
    QCOMPARE(changed.count(), 3);
    QCOMPARE(first(2), model.index(2, WorkerStatusModel::MessageColumn));
    QCOMPARE(last(2), model.index(2, WorkerStatusModel::MessageColumn));
    QCOMPARE(text(model, 2, WorkerStatusModel::MessageColumn), QString("lost the supervisor"));

    model.setPeak(0, 3 * kGiB);
    QCOMPARE(changed.count(), 4);
    QCOMPARE(first(3), model.index(0, WorkerStatusModel::MemoryColumn));
    QCOMPARE(last(3), model.index(0, WorkerStatusModel::MemoryColumn));

    model.setAllStates("stopped");
    QCOMPARE(changed.count(), 5);
    QCOMPARE(first(4), model.index(0, WorkerStatusModel::StateColumn));
    QCOMPARE(last(4), model.index(2, WorkerStatusModel::StateColumn));
    for (int row = 0; row < 3; ++row)
      QCOMPARE(text(model, row, WorkerStatusModel::StateColumn), QString("stopped"));
    QVERIFY(model.rows()[1].failed);  // still marked: its failure is not forgotten
  }

  void ranks_are_found_by_value_and_unknown_ones_ignored() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({make_row(1), make_row(0)});
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setState(0, "busy");
    QCOMPARE(text(model, 1, WorkerStatusModel::StateColumn), QString("busy"));
    QCOMPARE(text(model, 0, WorkerStatusModel::StateColumn), QString("ready"));
    changed.clear();
    model.setState(7, "busy");
    model.setMessage(7, "x");
    model.setPeak(-1, 5);
    QCOMPARE(changed.count(), 0);
  }

  void set_all_states_on_no_rows_is_quiet() {
    WorkerStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setAllStates("busy");
    QCOMPARE(changed.count(), 0);
  }
};

QTEST_MAIN(TestWorkerStatusModel)
#include "test_worker_status_model.moc"
