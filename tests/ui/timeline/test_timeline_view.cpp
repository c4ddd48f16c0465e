// SPDX-License-Identifier: Apache-2.0
// TimelineView offscreen with the recorded 4-rank trace: pixels in every rank's rows in the
// category colours with the rank colour on the label, wheel zoom around the cursor, left-drag
// selection, right-drag pan, double-click fit, hover text.
#include <QMouseEvent>
#include <QSignalSpy>
#include <QWheelEvent>
#include <QtTest>
#include <cmath>

#include "timeline_fixture.h"
#include "ui/rank_colors.h"
#include "ui/timeline/timeline_view.h"

using spstudio::profiling::NamedRange;
using spstudio::ui::category_color;
using spstudio::ui::RangeCategory;
using spstudio::ui::rank_color;
using spstudio::ui::TimelineView;

namespace {

/// The time under widget x, from the axis' window (not through the view's own conversion).
double time_at(const TimelineView& view, double x) {
  const auto& axis = view.axis();
  return static_cast<double>(axis.begin()) +
         (x - TimelineView::kLabelWidth) * static_cast<double>(axis.span()) / view.plotRect().width();
}

void send_mouse(QWidget* widget, QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons held) {
  QMouseEvent event(type, pos, widget->mapToGlobal(pos), button, held, Qt::NoModifier);
  QApplication::sendEvent(widget, &event);
}

void send_wheel(QWidget* widget, QPointF pos, int delta_y) {
  QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, delta_y), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(widget, &event);
}

int count_color(const QImage& image, int y, int x0, int x1, const QColor& color) {
  int n = 0;
  for (int x = x0; x < x1; ++x)
    n += image.pixelColor(x, y).rgb() == color.rgb() ? 1 : 0;
  return n;
}

struct Fixture {
  TimelineView view;
  Fixture() {
    view.resize(1000, 560);
    view.setRanges(spstudio::testing::trace_fixture_ranges());
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) qWarning("the view was not exposed");
  }
  double laneMiddle(int rank, int lane) const {
    const int row = view.rowLayout().firstRowOf(rank);
    return view.rowLayout().laneTop(row, lane) + view.rowLayout().metrics().lane_height / 2;
  }
};

}  // namespace

class TestTimelineView : public QObject {
  Q_OBJECT

 private slots:
  void every_rank_row_shows_its_ranges() {
    Fixture f;
    QCOMPARE(f.view.objectName(), QString("timelineView"));
    QCOMPARE(f.view.rowLayout().rows().size(), std::size_t(4));
    const QImage image = f.view.grab().toImage();
    const QRect plot = f.view.plotRect();
    for (int rank = 0; rank < 4; ++rank) {
      // Lane 0: text_encode and the two steps, compute, over most of the width (~80 % of the data).
      const int compute = count_color(image, int(f.laneMiddle(rank, 0)), plot.left(), plot.right(),
                                      category_color(RangeCategory::kCompute));
      QVERIFY2(compute > plot.width() / 2, qPrintable(QString("rank %1: %2 px").arg(rank).arg(compute)));
      // The attention kernels and all-to-alls are drawn somewhere in the rank's lanes.
      int kernel = 0, a2a = 0;
      for (int lane = 0; lane < 6; ++lane) {
        const int y = int(f.laneMiddle(rank, lane));
        kernel += count_color(image, y, plot.left(), plot.right(), category_color(RangeCategory::kAttentionKernel));
        a2a += count_color(image, y, plot.left(), plot.right(), category_color(RangeCategory::kAllToAll));
      }
      QVERIFY2(kernel > 0 && a2a > 0, qPrintable(QString("rank %1").arg(rank)));
      // The row label carries the rank's colour.
      QCOMPARE(image.pixelColor(2, int(f.laneMiddle(rank, 0))).rgb(), rank_color(rank).rgb());
    }
    // Left of the data (the margin) nothing is drawn in lane 0.
    QCOMPARE(count_color(image, int(f.laneMiddle(0, 0)), plot.left(), plot.left() + 20,
                         category_color(RangeCategory::kCompute)),
             0);
  }

  void the_wheel_zooms_around_the_cursor() {
    Fixture f;
    const QPointF cursor(TimelineView::kLabelWidth + 400, f.laneMiddle(1, 0));
    const double before = time_at(f.view, cursor.x());
    const qint64 span = f.view.axis().span();
    send_wheel(&f.view, cursor, 120);  // one notch in: the span shrinks by 1.25
    QVERIFY(std::fabs(static_cast<double>(f.view.axis().span()) - static_cast<double>(span) / 1.25) <= 1);
    const double ns_per_px = static_cast<double>(f.view.axis().span()) / f.view.plotRect().width();
    QVERIFY2(std::fabs(time_at(f.view, cursor.x()) - before) <= ns_per_px,
             qPrintable(QString("%1 vs %2").arg(time_at(f.view, cursor.x())).arg(before)));
    QVERIFY(f.view.axis().begin() > f.view.axis().limitBegin());
    QVERIFY(f.view.axis().end() < f.view.axis().limitEnd());
    send_wheel(&f.view, cursor, -120);  // and back out
    QVERIFY(std::llabs(f.view.axis().span() - span) <= 2);
  }

  void left_drag_selects_the_times_under_press_and_release() {
    Fixture f;
    QSignalSpy spy(&f.view, &TimelineView::selectionChanged);
    const double y = f.laneMiddle(2, 1);
    const QPointF from(TimelineView::kLabelWidth + 600, y), to(TimelineView::kLabelWidth + 200, y);
    const double t_from = time_at(f.view, from.x()), t_to = time_at(f.view, to.x());
    send_mouse(&f.view, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    send_mouse(&f.view, QEvent::MouseMove, (from + to) / 2, Qt::NoButton, Qt::LeftButton);
    send_mouse(&f.view, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
    QCOMPARE(spy.count(), 0);  // only on release
    send_mouse(&f.view, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    QCOMPARE(spy.count(), 1);
    const qint64 begin = spy.at(0).at(0).toLongLong(), end = spy.at(0).at(1).toLongLong();
    QVERIFY2(std::fabs(static_cast<double>(begin) - t_to) <= 1, qPrintable(QString::number(begin)));
    QVERIFY2(std::fabs(static_cast<double>(end) - t_from) <= 1, qPrintable(QString::number(end)));
    QCOMPARE(f.view.selectionBegin(), begin);
    QCOMPARE(f.view.selectionEnd(), end);
    QVERIFY(!f.view.grab().isNull());  // paints the Δt box without trouble

    // A click without a drag keeps the selection.
    send_mouse(&f.view, QEvent::MouseButtonPress, to, Qt::LeftButton, Qt::LeftButton);
    send_mouse(&f.view, QEvent::MouseButtonRelease, to + QPointF(1, 0), Qt::LeftButton, Qt::NoButton);
    QCOMPARE(spy.count(), 1);
    // Setting the same selection again says nothing; selectAll goes back to the whole data.
    f.view.setSelection(end, begin);
    QCOMPARE(spy.count(), 1);
    f.view.selectAll();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(f.view.selectionBegin(), f.view.axis().extentBegin());
  }

  void right_drag_pans_and_double_click_fits() {
    Fixture f;
    const QPointF cursor(TimelineView::kLabelWidth + 430, f.laneMiddle(0, 0));
    send_wheel(&f.view, cursor, 360);  // zoom in, so that there is room to pan
    const qint64 begin = f.view.axis().begin();
    const double ns_per_px = static_cast<double>(f.view.axis().span()) / f.view.plotRect().width();
    send_mouse(&f.view, QEvent::MouseButtonPress, cursor, Qt::RightButton, Qt::RightButton);
    send_mouse(&f.view, QEvent::MouseMove, cursor + QPointF(100, 0), Qt::NoButton, Qt::RightButton);
    send_mouse(&f.view, QEvent::MouseButtonRelease, cursor + QPointF(100, 0), Qt::RightButton, Qt::NoButton);
    // Dragged right by 100 px: 100 px worth of earlier time.
    QVERIFY(std::fabs(static_cast<double>(begin - f.view.axis().begin()) - 100 * ns_per_px) <= 1);
    QTest::mouseDClick(&f.view, Qt::LeftButton, Qt::NoModifier, cursor.toPoint());
    QCOMPARE(f.view.axis().begin(), f.view.axis().limitBegin());
    QCOMPARE(f.view.axis().end(), f.view.axis().limitEnd());
  }

  void hover_names_duration_and_share_of_step() {
    Fixture f;
    // Rank 0's first attention kernel: 2984.462 µs in step 1, whose step range is 111717.54 µs:
    // 2.67 % of it.
    const std::vector<NamedRange>& ranges = f.view.ranges();
    std::size_t kernel = ranges.size();
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      if (ranges[i].rank == 0 && ranges[i].name == "attention_kernel") {
        kernel = i;
        break;
      }
    }
    QVERIFY(kernel < ranges.size());
    const NamedRange& r = ranges[kernel];
    const int row = f.view.rowLayout().rowOf(kernel);
    const double y = f.view.rowLayout().laneTop(row, f.view.rowLayout().laneOf(kernel)) + 5;
    const QPoint pos(int(std::round(f.view.xOf((r.begin_ns + r.end_ns) / 2))), int(y));
    QCOMPARE(f.view.toolTipAt(pos), QString("attention_kernel\n2.984 ms \u00b7 2.7% of step 1\nrank 0 \u00b7 step 1"));
    QCOMPARE(f.view.toolTipAt(QPoint(TimelineView::kLabelWidth + 2, int(f.laneMiddle(3, 5)))), QString());
    QCOMPARE(f.view.toolTipAt(QPoint(5, int(y))), QString());  // the label column
  }

  void empty_view_paints_a_placeholder() {
    TimelineView view;
    view.resize(400, 200);
    QSignalSpy spy(&view, &TimelineView::selectionChanged);
    view.setRanges({});
    QCOMPARE(spy.count(), 1);
    QVERIFY(!view.grab().isNull());
    QCOMPARE(view.toolTipAt(QPoint(200, 100)), QString());
  }
};

QTEST_MAIN(TestTimelineView)
#include "test_timeline_view.moc"
