// SPDX-License-Identifier: Apache-2.0
// range_statistics without widgets: a small hand-made set whose numbers are worked out in the
// comments, selections by begin time, the nearest-rank percentile, the share of a range's own
// step, and the recorded 4-rank trace against plain counts of its JSON events.
#include <QtTest>
#include <cmath>

#include "timeline_fixture.h"
#include "ui/timeline/range_statistics.h"

using spstudio::profiling::NamedRange;
using spstudio::ui::nearest_rank_percentile;
using spstudio::ui::range_statistics;
using spstudio::ui::RangeStatistics;
using spstudio::ui::StepDurations;

namespace {

constexpr qint64 kMs = 1'000'000;

NamedRange range(int rank, const char* name, double begin_ms, double end_ms, int step) {
  NamedRange r;
  r.rank = rank;
  r.name = name;
  r.begin_ns = static_cast<qint64>(begin_ms * kMs);
  r.end_ns = static_cast<qint64>(end_ms * kMs);
  r.step = step;
  return r;
}

// Rank 0: step 1 [0,10] with attention [1,3] and all_to_all [3,4]; step 2 [10,30] with attention
// [12,16]. Rank 1: step 1 [0,20] with attention [2,8] and all_to_all [8,9] and [9,11]. Before
// all that, rank 0's text_encode [-5,-1] (step 0: no step range).
std::vector<NamedRange> hand_made() {
  return {range(0, "step", 0, 10, 1),        range(0, "attention", 1, 3, 1),   range(0, "all_to_all", 3, 4, 1),
          range(0, "step", 10, 30, 2),       range(0, "attention", 12, 16, 2), range(1, "step", 0, 20, 1),
          range(1, "attention", 2, 8, 1),    range(1, "all_to_all", 8, 9, 1),  range(1, "all_to_all", 9, 11, 1),
          range(0, "text_encode", -5, -1, 0)};
}

const spstudio::ui::NameStatistics* find(const RangeStatistics& stats, const char* name) {
  for (const auto& s : stats.names) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

class TestRangeStatistics : public QObject {
  Q_OBJECT

 private slots:
  void whole_selection_by_hand() {
    const RangeStatistics stats = range_statistics(hand_made(), 0, 30 * kMs);
    QCOMPARE(stats.ranks, std::vector<int>({0, 1}));
    QCOMPARE(stats.names.size(), std::size_t(3));
    // By total: step 50 ms, attention 12 ms, all_to_all 4 ms.
    QCOMPARE(stats.names[0].name, std::string("step"));
    QCOMPARE(stats.names[1].name, std::string("attention"));
    QCOMPARE(stats.names[2].name, std::string("all_to_all"));

    // step: {10, 20, 20}; p50 = 2nd (⌈1.5⌉), p95 = 3rd (⌈2.85⌉); each rank's share is 1.
    const auto& step = stats.names[0];
    QCOMPARE(step.count, std::size_t(3));
    QCOMPARE(step.total_ms, 50.0);
    QVERIFY(std::fabs(step.mean_ms - 50.0 / 3) < 1e-12);
    QCOMPARE(step.p50_ms, 20.0);
    QCOMPARE(step.p95_ms, 20.0);
    QCOMPARE(step.share_of_step.value(), 1.0);

    // attention: {2, 4, 6}: mean 4, p50 4, p95 6; share (6/30 + 6/20) / 2 = (0.2 + 0.3) / 2.
    const auto& attention = stats.names[1];
    QCOMPARE(attention.count, std::size_t(3));
    QCOMPARE(attention.mean_ms, 4.0);
    QCOMPARE(attention.p50_ms, 4.0);
    QCOMPARE(attention.p95_ms, 6.0);
    QCOMPARE(attention.total_ms, 12.0);
    QVERIFY(std::fabs(attention.share_of_step.value() - 0.25) < 1e-12);
    QCOMPARE(attention.per_rank.size(), std::size_t(2));
    QCOMPARE(attention.per_rank[0].count, std::size_t(2));
    QCOMPARE(attention.per_rank[0].mean_ms, 3.0);
    QCOMPARE(attention.per_rank[0].total_ms, 6.0);
    QCOMPARE(attention.per_rank[1].count, std::size_t(1));
    QCOMPARE(attention.per_rank[1].mean_ms, 6.0);
    QCOMPARE(attention.per_rank[1].total_ms, 6.0);

    // all_to_all: {1, 1, 2}: p50 1, p95 2; share (1/30 + 3/20) / 2 = 0.091666…
    const auto& a2a = stats.names[2];
    QCOMPARE(a2a.count, std::size_t(3));
    QCOMPARE(a2a.p50_ms, 1.0);
    QCOMPARE(a2a.p95_ms, 2.0);
    QVERIFY(std::fabs(a2a.share_of_step.value() - (1.0 / 30 + 3.0 / 20) / 2) < 1e-12);
    QCOMPARE(a2a.per_rank[1].count, std::size_t(2));
    QCOMPARE(a2a.per_rank[1].mean_ms, 1.5);
  }

  void ranges_count_when_they_begin_inside_the_selection() {
    // [10, 30] ms: rank 0's step 2 (begins at 10) and its attention; rank 1's all_to_all [9, 11]
    // began before. Rank 1 has no step time here: the share is rank 0's alone, 4 / 20.
    const RangeStatistics late = range_statistics(hand_made(), 10 * kMs, 30 * kMs);
    QCOMPARE(late.ranks, std::vector<int>({0, 1}));  // the columns stay
    QCOMPARE(late.names.size(), std::size_t(2));
    QCOMPARE(find(late, "step")->count, std::size_t(1));
    QCOMPARE(find(late, "step")->total_ms, 20.0);
    QCOMPARE(find(late, "attention")->share_of_step.value(), 0.2);
    QCOMPARE(find(late, "attention")->per_rank[1].count, std::size_t(0));
    QCOMPARE(find(late, "all_to_all"), nullptr);

    // [3, 9] ms, both ends included: all_to_all at 3 (rank 0) and at 8 and 9 (rank 1). Their
    // steps are rank 0's step 1 (10 ms) and rank 1's (20 ms): shares 1/10 and 3/20, mean 0.125.
    const RangeStatistics middle = range_statistics(hand_made(), 9 * kMs, 3 * kMs);  // either order
    QCOMPARE(middle.begin_ns, 3 * kMs);
    QCOMPARE(middle.names.size(), std::size_t(1));
    QCOMPARE(middle.names[0].name, std::string("all_to_all"));
    QCOMPARE(middle.names[0].count, std::size_t(3));
    QVERIFY(std::fabs(middle.names[0].share_of_step.value() - 0.125) < 1e-12);

    // [1, 1.5] ms: only rank 0's attention [1,3], 2 ms of its 10 ms step; nothing of rank 1 (its
    // attention begins at 2), which therefore has no step there.
    const RangeStatistics inside = range_statistics(hand_made(), 1 * kMs, 1'500'000);
    QCOMPARE(inside.names.size(), std::size_t(1));
    QVERIFY(std::fabs(inside.names[0].share_of_step.value() - 0.2) < 1e-12);

    // text_encode belongs to no step: counted, but no share.
    const RangeStatistics early = range_statistics(hand_made(), -5 * kMs, 30 * kMs);
    QCOMPARE(find(early, "text_encode")->count, std::size_t(1));
    QCOMPARE(find(early, "text_encode")->total_ms, 4.0);
    QVERIFY(!find(early, "text_encode")->share_of_step.has_value());
    QVERIFY(std::fabs(find(early, "attention")->share_of_step.value() - 0.25) < 1e-12);  // as before

    QVERIFY(range_statistics(hand_made(), 31 * kMs, 40 * kMs).names.empty());
  }

  void nearest_rank_percentiles() {
    QCOMPARE(nearest_rank_percentile({1, 2, 3, 4}, 50), 2.0);
    QCOMPARE(nearest_rank_percentile({1, 2, 3, 4}, 51), 3.0);
    std::vector<double> twenty;
    for (int i = 1; i <= 20; ++i)
      twenty.push_back(i);
    QCOMPARE(nearest_rank_percentile(twenty, 95), 19.0);
    QCOMPARE(nearest_rank_percentile(twenty, 100), 20.0);
    QCOMPARE(nearest_rank_percentile(twenty, 0), 1.0);
    QCOMPARE(nearest_rank_percentile({7}, 95), 7.0);
    QCOMPARE(nearest_rank_percentile({}, 50), 0.0);
  }

  void share_of_the_own_step() {
    const std::vector<NamedRange> ranges = hand_made();
    const StepDurations steps(ranges);
    QCOMPARE(steps.shareOfStep(ranges[4]).value(), 0.2);  // 4 ms of rank 0's 20 ms step 2
    QCOMPARE(steps.shareOfStep(ranges[8]).value(), 0.1);  // 2 ms of rank 1's 20 ms step 1
    NamedRange elsewhere = ranges[4];
    elsewhere.step = 5;  // no such step
    QVERIFY(!steps.shareOfStep(elsewhere).has_value());
    elsewhere = ranges[4];
    elsewhere.job_id = 2;  // another job's step 2
    QVERIFY(!steps.shareOfStep(elsewhere).has_value());
  }

  void the_recorded_trace_matches_its_json() {
    const std::vector<NamedRange> ranges = spstudio::testing::trace_fixture_ranges();
    const QMap<QString, int> counts = spstudio::testing::trace_fixture_counts(false);
    const QMap<QString, int> per_thread = spstudio::testing::trace_fixture_counts(true);
    QCOMPARE(counts.value("attention_kernel"), 96);  // the fixture is what we think it is
    QCOMPARE(counts.size(), 13);

    // Sums of "dur" (µs) per name, from the JSON.
    QMap<QString, double> total_ms;
    for (const QJsonValue event : spstudio::testing::trace_fixture_events())
      total_ms[event.toObject().value("name").toString()] += event.toObject().value("dur").toDouble() / 1000;

    std::int64_t last = 0;
    for (const NamedRange& r : ranges)
      last = std::max(last, r.end_ns);
    const RangeStatistics stats = range_statistics(ranges, 0, last);
    QCOMPARE(stats.ranks, std::vector<int>({0, 1, 2, 3}));
    QCOMPARE(static_cast<int>(stats.names.size()), counts.size());
    for (const auto& s : stats.names) {
      const QString name = QString::fromStdString(s.name);
      QCOMPARE(static_cast<int>(s.count), counts.value(name));
      QVERIFY2(std::fabs(s.total_ms - total_ms.value(name)) < 1e-6, qPrintable(name));
      for (std::size_t c = 0; c < stats.ranks.size(); ++c) {
        const QString key = name + "/" + QString::number(stats.ranks[c] + 1);  // tid = rank + 1
        QCOMPARE(static_cast<int>(s.per_rank[c].count), per_thread.value(key));
      }
      QVERIFY(s.p50_ms <= s.p95_ms);
    }
    QCOMPARE(stats.names[0].name, std::string("step"));  // the longest in total
    QCOMPARE(stats.names[0].share_of_step.value(), 1.0);
    // Outside the steps: no share (text_encode is step 0, vae_decode step -1 in the JSON).
    for (const auto& s : stats.names) {
      if (s.name == "text_encode" || s.name == "vae_decode") QVERIFY(!s.share_of_step.has_value());
    }
  }
};

QTEST_MAIN(TestRangeStatistics)
#include "test_range_statistics.moc"
