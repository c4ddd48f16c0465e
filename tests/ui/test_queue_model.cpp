// SPDX-License-Identifier: Apache-2.0
// QueueModel under QAbstractItemModelTester: the life of an item (queued → running → done /
// cancelled / failed), its label and progress, which row each setter reports, and clearing.
#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QtTest>
#include <stdexcept>

#include "ui/models/queue_model.h"

using spstudio::ui::QueueItem;
using spstudio::ui::QueueModel;
using spstudio::ui::QueueState;

namespace {

QString utf8(const char* text) {
  return QString::fromUtf8(text);
}

QueueItem make_item(quint64 job_id, quint64 seed, int steps = 8, int images = 1) {
  QueueItem item;
  item.job_id = job_id;
  item.params.seed = seed;
  item.params.steps = steps;
  item.params.images = images;
  item.params.ulysses_degree = 2;
  item.params.ring_degree = 1;
  item.params.prompt = QString("prompt of job %1").arg(job_id);
  return item;
}

QString display(const QueueModel& model, int row) {
  return model.data(model.index(row), Qt::DisplayRole).toString();
}
double progress(const QueueModel& model, int row) {
  return model.data(model.index(row), QueueModel::ProgressRole).toDouble();
}

/// Every dataChanged so far named exactly `row` as both its first and last index.
void verify_only_row(const QSignalSpy& spy, const QueueModel& model, int row) {
  QVERIFY(spy.count() > 0);
  for (const QList<QVariant>& args : spy) {
    QCOMPARE(args.at(0).value<QModelIndex>(), model.index(row));
    QCOMPARE(args.at(1).value<QModelIndex>(), model.index(row));
  }
}

}  // namespace

class TestQueueModel : public QObject {
  Q_OBJECT

 private slots:
  void state_names() {
    QCOMPARE(spstudio::ui::queue_state_name(QueueState::Queued), QString("queued"));
    QCOMPARE(spstudio::ui::queue_state_name(QueueState::Running), QString("running"));
    QCOMPARE(spstudio::ui::queue_state_name(QueueState::Done), QString("done"));
    QCOMPARE(spstudio::ui::queue_state_name(QueueState::Cancelled), QString("cancelled"));
    QCOMPARE(spstudio::ui::queue_state_name(QueueState::Failed), QString("failed"));
  }

  void append_and_look_up() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.append(make_item(3, 42));
    model.append(make_item(4, 43));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(model.rowOf(3), 0);
    QCOMPARE(model.rowOf(4), 1);
    QCOMPARE(model.rowOf(5), -1);
    QCOMPARE(model.at(1).params.seed, quint64{43});
    QCOMPARE(model.data(model.index(1), QueueModel::JobIdRole).value<quint64>(), quint64{4});
    QCOMPARE(model.data(model.index(1), QueueModel::StateRole).toInt(), static_cast<int>(QueueState::Queued));
    QCOMPARE(model.pendingCount(), 2);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model.append(make_item(3, 1)));
    QCOMPARE(model.rowCount(), 2);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, model.at(2));
  }

  void the_snapshot_is_a_copy() {
    QueueModel model;
    QueueItem item = make_item(1, 42);
    model.append(item);
    item.params.seed = 99;
    item.params.prompt = "edited afterwards";
    QCOMPARE(model.at(0).params.seed, quint64{42});
    QCOMPARE(model.at(0).params.prompt, QString("prompt of job 1"));
  }

  void labels_through_a_single_image_job() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(3, 42));
    QCOMPARE(display(model, 0), utf8(u8"#3 \u00b7 seed 42 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 queued"));
    QCOMPARE(progress(model, 0), 0.0);
    QVERIFY(model.setRunning(3));
    QCOMPARE(display(model, 0), utf8(u8"#3 \u00b7 seed 42 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 running 0/8"));
    QVERIFY(model.setProgress(3, 0, 3, 8));
    QCOMPARE(display(model, 0), utf8(u8"#3 \u00b7 seed 42 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 running 3/8"));
    QCOMPARE(progress(model, 0), 3.0 / 8.0);
    QVERIFY(model.setImageDone(3, 1));
    QVERIFY(model.setFinished(3, QueueState::Done));
    QCOMPARE(display(model, 0), utf8(u8"#3 \u00b7 seed 42 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 done"));
    QCOMPARE(progress(model, 0), 1.0);
    QCOMPARE(model.data(model.index(0), QueueModel::StateRole).toInt(), static_cast<int>(QueueState::Done));
  }

  void progress_runs_over_every_image() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(5, 100, 8, 2));
    model.setRunning(5);
    model.setProgress(5, 0, 3, 8);
    QCOMPARE(display(model, 0),
             utf8(u8"#5 \u00b7 seed 100 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 running 3/8 (image 1/2)"));
    QCOMPARE(progress(model, 0), 3.0 / 16.0);
    model.setProgress(5, 0, 8, 8);
    QCOMPARE(progress(model, 0), 8.0 / 16.0);
    model.setImageDone(5, 1);
    QCOMPARE(progress(model, 0), 8.0 / 16.0);  // the finished image counts once, not twice
    QCOMPARE(display(model, 0),
             utf8(u8"#5 \u00b7 seed 100 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 running 0/8 (image 2/2)"));
    model.setProgress(5, 1, 6, 8);
    QCOMPARE(progress(model, 0), (1 * 8 + 6) / 16.0);
    QCOMPARE(display(model, 0),
             utf8(u8"#5 \u00b7 seed 100 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 running 6/8 (image 2/2)"));
    model.setImageDone(5, 2);
    model.setFinished(5, QueueState::Done);
    QCOMPARE(progress(model, 0), 1.0);
  }

  void progress_before_the_start_marks_it_running() {
    QueueModel model;
    model.append(make_item(1, 1, 4));
    QVERIFY(model.setProgress(1, 0, 1, 4));
    QCOMPARE(model.at(0).state, QueueState::Running);
    QCOMPARE(progress(model, 0), 0.25);
  }

  void cancelled_and_failed_say_why() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(1, 1));
    model.append(make_item(2, 2));
    model.append(make_item(3, 3));
    QVERIFY(model.setFinished(1, QueueState::Cancelled, "cancelled by the user"));
    QVERIFY(model.setFinished(2, QueueState::Failed, "rank 1 ran out of memory"));
    QVERIFY(model.setFinished(3, QueueState::Cancelled));
    QCOMPARE(display(model, 0),
             utf8(u8"#1 \u00b7 seed 1 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 cancelled: cancelled by the user"));
    QCOMPARE(display(model, 1),
             utf8(u8"#2 \u00b7 seed 2 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 failed: rank 1 ran out of memory"));
    QCOMPARE(display(model, 2), utf8(u8"#3 \u00b7 seed 3 \u00b7 U2\u00d7R1 \u00b7 8 steps \u00b7 cancelled"));
    const QString tip = model.data(model.index(1), Qt::ToolTipRole).toString();
    QVERIFY(tip.contains("prompt of job 2"));
    QVERIFY(tip.contains("rank 1 ran out of memory"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model.setFinished(1, QueueState::Running));
  }

  void finished_items_are_grey() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (quint64 id = 1; id <= 5; ++id)
      model.append(make_item(id, id));
    model.setRunning(2);
    model.setFinished(3, QueueState::Done);
    model.setFinished(4, QueueState::Cancelled);
    model.setFinished(5, QueueState::Failed, "x");
    QVERIFY(!model.data(model.index(0), Qt::ForegroundRole).isValid());
    QVERIFY(!model.data(model.index(1), Qt::ForegroundRole).isValid());
    for (int row = 2; row < 5; ++row) {
      const QVariant foreground = model.data(model.index(row), Qt::ForegroundRole);
      QVERIFY(foreground.canConvert<QBrush>());
      const QColor color = foreground.value<QBrush>().color();
      QVERIFY2(color.isValid() && color.hsvSaturation() < 40, qPrintable(color.name()));  // a grey
    }
  }

  void every_setter_reports_its_row_only() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (quint64 id = 10; id < 14; ++id)
      model.append(make_item(id, id, 8, 2));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setRunning(12);
    verify_only_row(changed, model, 2);
    QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(QueueModel::StateRole));
    changed.clear();
    model.setProgress(12, 0, 4, 8);
    verify_only_row(changed, model, 2);
    QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(QueueModel::ProgressRole));
    changed.clear();
    model.setImageDone(12, 1);
    verify_only_row(changed, model, 2);
    changed.clear();
    model.setFinished(11, QueueState::Failed, "boom");
    verify_only_row(changed, model, 1);
    QVERIFY(changed.at(0).at(2).value<QList<int>>().contains(Qt::DisplayRole));
  }

  void unknown_jobs_change_nothing() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(1, 1));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(!model.setRunning(9));
    QVERIFY(!model.setProgress(9, 0, 1, 8));
    QVERIFY(!model.setImageDone(9, 1));
    QVERIFY(!model.setFinished(9, QueueState::Done));
    QCOMPARE(changed.count(), 0);
    QCOMPARE(model.at(0).state, QueueState::Queued);
  }

  void a_late_progress_report_leaves_a_finished_item_alone() {
    QueueModel model;
    model.append(make_item(1, 1));
    model.setFinished(1, QueueState::Cancelled, "stopped");
    QVERIFY(model.setProgress(1, 0, 5, 8));
    QCOMPARE(model.at(0).state, QueueState::Cancelled);
    QCOMPARE(model.pendingCount(), 0);
  }

  void remove_finished_keeps_the_pending() {
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Finished: 1, 2, 4, 6, 7 (runs at both ends and in the middle); pending: 3 (running), 5.
    for (quint64 id = 1; id <= 7; ++id)
      model.append(make_item(id, id));
    model.setFinished(1, QueueState::Done);
    model.setFinished(2, QueueState::Failed, "x");
    model.setRunning(3);
    model.setFinished(4, QueueState::Cancelled);
    model.setFinished(6, QueueState::Done);
    model.setFinished(7, QueueState::Done);
    QCOMPARE(model.pendingCount(), 2);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.removeFinished();
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.at(0).job_id, quint64{3});
    QCOMPARE(model.at(1).job_id, quint64{5});
    QCOMPARE(model.rowOf(3), 0);
    QCOMPARE(model.rowOf(5), 1);
    QCOMPARE(model.rowOf(6), -1);
    QCOMPARE(model.pendingCount(), 2);
    int rows_removed = 0;
    for (const QList<QVariant>& args : removed)
      rows_removed += args.at(2).toInt() - args.at(1).toInt() + 1;
    QCOMPARE(rows_removed, 5);
    model.removeFinished();  // nothing left to remove
    QCOMPARE(model.rowCount(), 2);
  }
};

QTEST_MAIN(TestQueueModel)
#include "test_queue_model.moc"
