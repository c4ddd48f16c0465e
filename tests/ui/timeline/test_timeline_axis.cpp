// SPDX-License-Identifier: Apache-2.0
// TimelineAxis without widgets, numbers worked out by hand: 1100 px over the extent [0, 1 ms] with
// a 5 % margin (50 µs each side) shows [-50 000, 1 050 000] ns at 1000 ns per pixel.
#include <QtTest>

#include "ui/timeline/timeline_axis.h"

using spstudio::ui::format_duration;
using spstudio::ui::format_tick;
using spstudio::ui::PixelSpan;
using spstudio::ui::tick_step_ns;
using spstudio::ui::TimelineAxis;

namespace {

TimelineAxis millisecond_axis() {
  TimelineAxis axis;
  axis.setWidth(1100);
  axis.setExtent(0, 1'000'000);
  return axis;
}

void compare_window(const TimelineAxis& axis, qint64 begin, qint64 end) {
  QCOMPARE(axis.begin(), begin);
  QCOMPARE(axis.end(), end);
}

}  // namespace

class TestTimelineAxis : public QObject {
  Q_OBJECT

 private slots:
  void fit_shows_the_extent_with_margins() {
    const TimelineAxis axis = millisecond_axis();
    QCOMPARE(axis.limitBegin(), qint64(-50'000));
    QCOMPARE(axis.limitEnd(), qint64(1'050'000));
    compare_window(axis, -50'000, 1'050'000);
    QCOMPARE(axis.nsPerPixel(), 1000.0);
  }

  void pixels_and_times_convert_both_ways() {
    const TimelineAxis axis = millisecond_axis();
    QCOMPARE(axis.x_of(0), 50.0);
    QCOMPARE(axis.x_of(1'000'000), 1050.0);
    QCOMPARE(axis.x_of(-50'000), 0.0);
    QCOMPARE(axis.ns_of(600), qint64(550'000));
    QCOMPARE(axis.ns_of(0.5), qint64(-49'500));
  }

  void zoom_keeps_the_time_under_the_anchor() {
    TimelineAxis axis = millisecond_axis();
    axis.zoom(2, 600);  // 550 000 ns stays at x 600; the span halves to 550 000 ns
    compare_window(axis, 250'000, 800'000);
    QCOMPARE(axis.ns_of(600), qint64(550'000));
    QCOMPARE(axis.x_of(550'000), 600.0);
    axis.zoom(0.5, 600);  // and back
    compare_window(axis, -50'000, 1'050'000);
  }

  void zoom_at_the_edge_keeps_the_edge() {
    TimelineAxis axis = millisecond_axis();
    axis.zoom(2, 1100);  // the right edge, 1 050 000 ns, stays at x 1100
    compare_window(axis, 500'000, 1'050'000);
  }

  void zoom_stops_at_the_minimum_span_and_at_the_limits() {
    TimelineAxis axis = millisecond_axis();
    axis.zoom(1e9, 0);  // the left edge stays; the span stops at 1 µs
    compare_window(axis, -50'000, -49'000);
    axis.zoom(1e-9, 300);  // zooming out stops at everything
    compare_window(axis, -50'000, 1'050'000);
    axis.zoom(0, 300);  // nonsense factors change nothing
    axis.zoom(-2, 300);
    compare_window(axis, -50'000, 1'050'000);
  }

  void pan_moves_by_pixels_and_clamps() {
    TimelineAxis axis = millisecond_axis();
    axis.zoom(2, 600);  // [250 000, 800 000] at 500 ns/px
    axis.pan(100);      // drag right by 100 px: 50 000 ns earlier
    compare_window(axis, 200'000, 750'000);
    axis.pan(-10'000);  // far right: stops with the end at the limit
    compare_window(axis, 500'000, 1'050'000);
    axis.pan(1e6);  // far left: stops with the begin at the limit
    compare_window(axis, -50'000, 500'000);
    axis.fit();
    axis.pan(30);  // everything shown: nowhere to go
    compare_window(axis, -50'000, 1'050'000);
  }

  void set_window_clamps_span_and_position() {
    TimelineAxis axis = millisecond_axis();
    axis.setWindow(100, 200);  // 100 ns grows to 1000 ns around its middle, 150
    compare_window(axis, -350, 650);
    axis.setWindow(-900'000, -800'000);  // outside: shifted back to the left limit
    compare_window(axis, -50'000, 50'000);
    axis.setWindow(-1'000'000, 5'000'000);  // wider than the limits: the limits
    compare_window(axis, -50'000, 1'050'000);
  }

  void width_changes_the_scale_not_the_window() {
    TimelineAxis axis = millisecond_axis();
    axis.setWidth(550);
    compare_window(axis, -50'000, 1'050'000);
    QCOMPARE(axis.nsPerPixel(), 2000.0);
    QCOMPARE(axis.x_of(1'000'000), 525.0);
    axis.setWidth(0);  // a hidden widget: one pixel, no division by zero
    QCOMPARE(axis.width(), 1.0);
  }

  void tiny_extents_still_span_the_minimum() {
    TimelineAxis axis;
    axis.setWidth(100);
    axis.setExtent(7'000, 7'000);  // one zero-length range: the margin becomes 500 ns
    compare_window(axis, 6'500, 7'500);
  }

  void bars_have_a_minimum_width_centred_on_their_time() {
    const TimelineAxis axis = millisecond_axis();
    const PixelSpan wide = axis.bar(0, 10'000);  // 10 px from x 50
    QCOMPARE(wide.left, 50.0);
    QCOMPARE(wide.width, 10.0);
    const PixelSpan tiny = axis.bar(0, 500);  // 0.5 px, centred at 50.25, drawn 2 px wide
    QCOMPARE(tiny.left, 49.25);
    QCOMPARE(tiny.width, 2.0);
    QCOMPARE(tiny.right(), 51.25);
    const PixelSpan zero = axis.bar(100'000, 100'000, 4);  // x 150, drawn 4 px wide
    QCOMPARE(zero.left, 148.0);
    QCOMPARE(zero.width, 4.0);
  }

  void tick_steps_are_1_2_5_decades() {
    QCOMPARE(tick_step_ns(1000, 90), qint64(100'000));  // at least 90 000 ns apart
    QCOMPARE(tick_step_ns(1, 90), qint64(100));
    QCOMPARE(tick_step_ns(2.2e5, 100), qint64(50'000'000));  // 22 000 000 → 5 × 10^7
    QCOMPARE(tick_step_ns(1.5e4, 100), qint64(2'000'000));   // 1 500 000 → 2 × 10^6
    QCOMPARE(tick_step_ns(0.01, 10), qint64(1));             // never below 1 ns
  }

  void durations_read_naturally() {
    QCOMPARE(format_duration(0), std::string("0 s"));
    QCOMPARE(format_duration(820), std::string("820 ns"));
    QCOMPARE(format_duration(1'000), std::string("1 \u00b5s"));
    QCOMPARE(format_duration(12'500), std::string("12.5 \u00b5s"));
    QCOMPARE(format_duration(123'456), std::string("123.5 \u00b5s"));
    QCOMPARE(format_duration(45'620'000), std::string("45.62 ms"));
    QCOMPARE(format_duration(2'984'462), std::string("2.984 ms"));
    QCOMPARE(format_duration(1'234'000'000), std::string("1.234 s"));
    QCOMPARE(format_duration(-2'000'000), std::string("-2 ms"));
  }

  void ticks_have_just_enough_decimals() {
    QCOMPARE(format_tick(0, 1000), std::string("0"));
    QCOMPARE(format_tick(1'000'200'000, 200'000), std::string("1.0002 s"));
    QCOMPARE(format_tick(1'005'000'000, 5'000'000), std::string("1.005 s"));
    QCOMPARE(format_tick(4'000'000, 2'000'000), std::string("4 ms"));
    QCOMPARE(format_tick(57'400'000, 100'000), std::string("57.4 ms"));
    QCOMPARE(format_tick(400, 200), std::string("400 ns"));
    QCOMPARE(format_tick(-20'000, 10'000), std::string("-20 \u00b5s"));
  }
};

QTEST_MAIN(TestTimelineAxis)
#include "test_timeline_axis.moc"
