// SPDX-License-Identifier: Apache-2.0
// TimelineLayout without widgets: rows per (rank, stream) with their labels and pixel heights,
// lanes for nested, adjacent and overlapping ranges, visibility searches and hit tests.
#include <QtTest>
#include <algorithm>
#include <map>

#include "ui/timeline/timeline_layout.h"

using spstudio::profiling::NamedRange;
using spstudio::ui::TimelineAxis;
using spstudio::ui::TimelineLayout;
using spstudio::ui::TimelineRowMetrics;

namespace {

constexpr qint64 kUs = 1000;

NamedRange range(int rank, const char* name, qint64 begin_us, qint64 end_us, int stream = 0) {
  NamedRange r;
  r.rank = rank;
  r.name = name;
  r.begin_ns = begin_us * kUs;
  r.end_ns = end_us * kUs;
  r.stream = stream;
  return r;
}

// Rank 0 stream 0: A [0,100] µs holds B [0,50] and C [50,100] (adjacent siblings); C holds D
// [60,70]; E [90,150] overlaps A and C without nesting; F [95,120] sits inside E.
// Rank 0 stream 1: G [10,20]. Rank 2: H [5,6], a tiny I [10, 10.05], J [20,60], a tiny K right
// after J.
enum { A, B, C, D, E, F, G, H, I, J, K };
std::vector<NamedRange> sample() {
  std::vector<NamedRange> ranges = {range(0, "A", 0, 100),    range(0, "B", 0, 50),   range(0, "C", 50, 100),
                                    range(0, "D", 60, 70),    range(0, "E", 90, 150), range(0, "F", 95, 120),
                                    range(0, "G", 10, 20, 1), range(2, "H", 5, 6),    range(2, "I", 10, 10),
                                    range(2, "J", 20, 60),    range(2, "K", 60, 60)};
  ranges[I].end_ns = 10'050;  // 50 ns
  ranges[K].end_ns = 60'010;  // 10 ns
  return ranges;
}

const TimelineRowMetrics kMetrics{30, 18, 2, 8};

/// 1650 px over the limits [-7500, 157500] ns: 100 ns per pixel, x = (t + 7500) / 100.
TimelineAxis sample_axis() {
  TimelineAxis axis;
  axis.setWidth(1650);
  axis.setExtent(0, 150'000);
  return axis;
}

}  // namespace

class TestTimelineLayout : public QObject {
  Q_OBJECT

 private slots:
  void rows_per_rank_and_stream() {
    const TimelineLayout layout(sample(), kMetrics);
    QCOMPARE(layout.rows().size(), std::size_t(3));
    QCOMPARE(layout.rows()[0].label, std::string("rank 0"));
    QCOMPARE(layout.rows()[1].label, std::string("rank 0 \u00b7 stream 1"));
    QCOMPARE(layout.rows()[2].label, std::string("rank 2"));
    // 4 lanes of 18 px from y 30; a 2 px gap to the stream row; an 8 px gap to the next rank.
    QCOMPARE(layout.rows()[0].top, 30.0);
    QCOMPARE(layout.rows()[0].height, 72.0);
    QCOMPARE(layout.rows()[1].top, 104.0);
    QCOMPARE(layout.rows()[1].height, 18.0);
    QCOMPARE(layout.rows()[2].top, 130.0);
    QCOMPARE(layout.height(), 148.0);
    QCOMPARE(layout.firstRowOf(0), 0);
    QCOMPARE(layout.firstRowOf(2), 2);
    QCOMPARE(layout.firstRowOf(1), -1);
    QCOMPARE(layout.rowAt(31), 0);
    QCOMPARE(layout.rowAt(103), -1);  // in the gap
    QCOMPARE(layout.rowAt(147.9), 2);
    QCOMPARE(layout.rowAt(148), -1);
  }

  void nested_ranges_go_one_lane_down_overlapping_ones_to_a_free_lane() {
    const std::vector<NamedRange> ranges = sample();
    const TimelineLayout layout(ranges, kMetrics);
    QCOMPARE(layout.laneOf(A), 0);
    QCOMPARE(layout.laneOf(B), 1);
    QCOMPARE(layout.laneOf(C), 1);  // B ended where C begins
    QCOMPARE(layout.laneOf(D), 2);
    QCOMPARE(layout.laneOf(E), 2);  // lanes 0 and 1 are busy until 100 µs, D has ended
    QCOMPARE(layout.laneOf(F), 3);  // below E, which holds it
    QCOMPARE(layout.laneOf(G), 0);
    QCOMPARE(layout.rowOf(G), 1);
    QCOMPARE(layout.laneOf(H), 0);
    QCOMPARE(layout.laneOf(K), 0);
    QCOMPARE(layout.rowOf(K), 2);
    const std::vector<std::size_t> lane2{D, E};
    QCOMPARE(layout.rows()[0].lanes[2], lane2);
    QCOMPARE(layout.laneTop(0, 3), 84.0);
  }

  void input_order_does_not_matter() {
    std::vector<NamedRange> reversed = sample();
    std::reverse(reversed.begin(), reversed.end());
    const TimelineLayout layout(reversed, kMetrics);
    const std::map<std::string, int> expected{{"A", 0}, {"B", 1}, {"C", 1}, {"D", 2}, {"E", 2}, {"F", 3},
                                              {"G", 0}, {"H", 0}, {"I", 0}, {"J", 0}, {"K", 0}};
    std::map<std::string, int> lanes;
    for (std::size_t i = 0; i < reversed.size(); ++i)
      lanes[reversed[i].name] = layout.laneOf(i);
    QCOMPARE(lanes, expected);
  }

  void the_lanes_of_well_nested_ranges_are_their_depths() {
    // As the engine records them: step ⊃ transformer ⊃ two blocks, the second with an attention.
    std::vector<NamedRange> ranges = {range(1, "step", 0, 100), range(1, "transformer", 1, 99),
                                      range(1, "block", 2, 40), range(1, "block", 40, 98),
                                      range(1, "attention", 41, 90)};
    const TimelineLayout layout(ranges, kMetrics);
    const std::vector<int> expected{0, 1, 2, 2, 3};
    for (std::size_t i = 0; i < ranges.size(); ++i)
      QCOMPARE(layout.laneOf(i), expected[i]);
  }

  void visible_ranges_are_searched_per_lane() {
    const std::vector<NamedRange> ranges = sample();
    const TimelineLayout layout(ranges, kMetrics);
    // Lane 2 of rank 0 holds D [60,70] and E [90,150] µs.
    QCOMPARE(layout.visible(ranges, 0, 2, 0, 59'999), std::make_pair(std::size_t(0), std::size_t(0)));
    QCOMPARE(layout.visible(ranges, 0, 2, 65'000, 95'000), std::make_pair(std::size_t(0), std::size_t(2)));
    QCOMPARE(layout.visible(ranges, 0, 2, 71'000, 89'000), std::make_pair(std::size_t(1), std::size_t(1)));
    QCOMPARE(layout.visible(ranges, 0, 2, 120'000, 200'000), std::make_pair(std::size_t(1), std::size_t(2)));
  }

  void hit_tests_find_the_range_under_a_point() {
    const std::vector<NamedRange> ranges = sample();
    const TimelineLayout layout(ranges, kMetrics);
    const TimelineAxis axis = sample_axis();
    const auto at = [&](double x, double y) { return layout.rangeAt(ranges, axis, x, y); };
    QCOMPARE(at(500, 39), std::optional<std::size_t>(A));   // 42.5 µs, lane 0
    QCOMPARE(at(500, 57), std::optional<std::size_t>(B));   // lane 1
    QCOMPARE(at(700, 75), std::optional<std::size_t>(D));   // 62.5 µs, lane 2
    QCOMPARE(at(700, 93), std::nullopt);                    // lane 3 is empty there
    QCOMPARE(at(1100, 93), std::optional<std::size_t>(F));  // 102.5 µs
    QCOMPARE(at(1100, 75), std::optional<std::size_t>(E));
    QCOMPARE(at(1100, 39), std::nullopt);                   // A ended at x 1075
    QCOMPARE(at(500, 103), std::nullopt);                   // between rows
    QCOMPARE(at(225, 113), std::optional<std::size_t>(G));  // 15 µs on stream 1
    QCOMPARE(at(130, 139), std::optional<std::size_t>(H));  // x 125..135
  }

  void tiny_ranges_are_hit_over_their_minimum_width() {
    const std::vector<NamedRange> ranges = sample();
    const TimelineLayout layout(ranges, kMetrics);
    const TimelineAxis axis = sample_axis();
    const auto at = [&](double x) { return layout.rangeAt(ranges, axis, x, 139); };
    // I: 50 ns = 0.5 px around x 175.25, drawn over [174.25, 176.25].
    QCOMPARE(at(176), std::optional<std::size_t>(I));
    QCOMPARE(at(174.5), std::optional<std::size_t>(I));
    QCOMPARE(at(177), std::nullopt);
    // K (10 ns at x 675.05, drawn over [674.05, 676.05]) touches J's end at x 675: K wins where
    // both are drawn, J keeps the rest.
    QCOMPARE(at(674.5), std::optional<std::size_t>(K));
    QCOMPARE(at(673.9), std::optional<std::size_t>(J));
    QCOMPARE(at(676.0), std::optional<std::size_t>(K));
  }

  void no_ranges_no_rows() {
    const TimelineLayout layout({}, kMetrics);
    QVERIFY(layout.rows().empty());
    QCOMPARE(layout.height(), 30.0);
    QCOMPARE(layout.rowAt(40), -1);
  }
};

QTEST_MAIN(TestTimelineLayout)
#include "test_timeline_layout.moc"
