// SPDX-License-Identifier: Apache-2.0
// TimelinePanel offscreen: the widgets the window and screenshots find, statistics that follow
// the selection (under QAbstractItemModelTester), trace export → import through files, and
// imports of broken or missing files that keep the ranges and name the file.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <tuple>

#include "timeline_fixture.h"
#include "ui/timeline/statistics_model.h"
#include "ui/timeline/timeline_panel.h"
#include "ui/timeline/timeline_view.h"

using spstudio::profiling::NamedRange;
using spstudio::ui::StatisticsModel;
using spstudio::ui::TimelinePanel;
using spstudio::ui::TimelineView;

namespace {

void write_file(const QString& path, const QByteArray& contents) {
  QFile file(path);
  QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
  file.write(contents);
}

auto sort_key(const NamedRange& r) {
  return std::make_tuple(r.rank, r.stream, r.begin_ns, -r.end_ns, r.name, r.depth, r.step, r.job_id, r.image_index);
}

std::vector<NamedRange> sorted(std::vector<NamedRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const NamedRange& a, const NamedRange& b) { return sort_key(a) < sort_key(b); });
  return ranges;
}

}  // namespace

class TestTimelinePanel : public QObject {
  Q_OBJECT

 private slots:
  void the_parts_are_found_by_name() {
    TimelinePanel panel;
    QCOMPARE(panel.objectName(), QString("timelinePanel"));
    QCOMPARE(panel.findChild<TimelineView*>("timelineView"), panel.view());
    auto* table = panel.findChild<QTableView*>("timelineStats");
    QVERIFY(table);
    QCOMPARE(table->model(), panel.sortedStatistics());
    QCOMPARE(panel.sortedStatistics()->sourceModel(), panel.statistics());
    QStringList actions;
    for (const char* name : {"importTraceAction", "exportTraceAction", "fitAction"})
      actions << panel.findChild<QAction*>(name)->text();
    QCOMPARE(actions, QStringList({"Import trace\u2026", "Export trace\u2026", "Fit"}));
    QVERIFY(panel.findChild<QLabel*>("timelineTitle"));
  }

  void statistics_follow_the_selection() {
    TimelinePanel panel;
    panel.resize(1100, 800);
    QAbstractItemModelTester tester(panel.statistics(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy spy(&panel, &TimelinePanel::selectionChanged);
    panel.setRanges(spstudio::testing::trace_fixture_ranges(), "tiny-flux 2×2");
    QCOMPARE(panel.findChild<QLabel*>("timelineTitle")->text(), QString("tiny-flux 2×2"));
    QCOMPARE(spy.count(), 1);
    // The whole data is selected: every name of the JSON, with its count.
    const QMap<QString, int> counts = spstudio::testing::trace_fixture_counts(false);
    StatisticsModel* stats = panel.statistics();
    QCOMPARE(stats->rowCount(), counts.size());
    QCOMPARE(stats->columnCount(), StatisticsModel::FirstRankColumn + 4 * StatisticsModel::kColumnsPerRank);
    const int kernel_row = stats->rowOf("attention_kernel");
    QVERIFY(kernel_row >= 0);
    QCOMPARE(stats->data(stats->index(kernel_row, StatisticsModel::CountColumn)).toInt(), 96);

    // Ranges count when they begin inside the selection: in the JSON every rank's text_encode
    // begins by 1.471 ms and the earliest step at 47.64 ms, so from 1.5 ms on the text encoders
    // are out and all 8 steps in.
    panel.setSelection(1'500'000, 400'000'000);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toLongLong(), qint64(1'500'000));
    QCOMPARE(stats->rowOf("text_encode"), -1);
    QCOMPARE(stats->rowCount(), counts.size() - 1);
    QCOMPARE(stats->data(stats->index(stats->rowOf("step"), StatisticsModel::CountColumn)).toInt(), 8);

    // A drag in the view drives the panel too.
    TimelineView* view = panel.view();
    const QPointF a(TimelineView::kLabelWidth + 10, 40), b(TimelineView::kLabelWidth + 20, 40);
    QTest::mousePress(view, Qt::LeftButton, Qt::NoModifier, a.toPoint());
    QMouseEvent move(QEvent::MouseMove, b, view->mapToGlobal(b), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &move);
    QTest::mouseRelease(view, Qt::LeftButton, Qt::NoModifier, b.toPoint());
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toLongLong(), view->selectionBegin());
    QCOMPARE(panel.statistics()->statistics().begin_ns, view->selectionBegin());
    QCOMPARE(panel.statistics()->statistics().end_ns, view->selectionEnd());
  }

  void export_then_import_gives_the_same_ranges() {
    QTemporaryDir dir;
    const QString path = dir.filePath("trace.json");
    TimelinePanel source;
    source.setRanges(spstudio::testing::trace_fixture_ranges(), "recorded");
    QCOMPARE(source.exportTrace(path), QString());
    QVERIFY(QFile::exists(path));

    TimelinePanel target;
    QSignalSpy changed(&target, &TimelinePanel::rangesChanged);
    QCOMPARE(target.importTrace(path), QString());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(target.title(), QString("trace.json"));
    // The fixture starts at 0, so not even the origin moves.
    const std::vector<NamedRange> a = sorted(source.ranges()), b = sorted(target.ranges());
    QCOMPARE(b.size(), a.size());
    QCOMPARE(b.size(), std::size_t(spstudio::testing::trace_fixture_events().size()));
    for (std::size_t i = 0; i < a.size(); ++i)
      QVERIFY2(sort_key(a[i]) == sort_key(b[i]), qPrintable(QString::fromStdString(a[i].name)));
    QCOMPARE(target.statistics()->rowCount(), source.statistics()->rowCount());
  }

  void broken_files_keep_the_ranges_and_name_the_file() {
    QTemporaryDir dir;
    TimelinePanel panel;
    panel.setRanges(spstudio::testing::trace_fixture_ranges(), "recorded");
    const std::size_t count = panel.ranges().size();
    QSignalSpy changed(&panel, &TimelinePanel::rangesChanged);

    const QString broken = dir.filePath("broken.json");
    write_file(broken, R"({"traceEvents": [{"ph": "X", "name": "a", "ts": 1, "dur": 2},
                                           {"ph": "X", "name": "b", "ts": 1, "dur": "x"}]})");
    QCOMPARE(panel.importTrace(broken),
             QString("Cannot import '%1': trace: traceEvents[1].dur: expected a number").arg(broken));

    const QString missing = dir.filePath("missing.json");
    const QString error = panel.importTrace(missing);
    QVERIFY2(error.startsWith(QString("cannot read '%1'").arg(missing)), qPrintable(error));

    const QString empty = dir.filePath("empty.json");
    write_file(empty, R"({"traceEvents": [{"ph": "i", "name": "mark", "ts": 1}]})");
    QVERIFY(panel.importTrace(empty).contains(empty));

    QCOMPARE(panel.ranges().size(), count);
    QCOMPARE(panel.title(), QString("recorded"));
    QCOMPARE(changed.count(), 0);
  }

  void export_errors_name_the_file() {
    QTemporaryDir dir;
    TimelinePanel panel;
    const QString path = dir.filePath("no-such-folder/trace.json");
    QVERIFY(panel.exportTrace(path).contains(path));  // empty timeline
    panel.setRanges(spstudio::testing::trace_fixture_ranges(), "recorded");
    const QString error = panel.exportTrace(path);
    QVERIFY2(error.startsWith(QString("cannot write '%1'").arg(path)), qPrintable(error));
    QVERIFY(!QFile::exists(path));
  }
};

QTEST_MAIN(TestTimelinePanel)
#include "test_timeline_panel.moc"
