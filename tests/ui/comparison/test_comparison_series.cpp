// SPDX-License-Identifier: Apache-2.0
// The comparison series (no widgets): the step split, speed-up, heatmap grid, memory and the
// alignment of two runs, against the recorded 256x256 sweep. Expectations come from the JSON fields
// (read with Qt's parser) with plain arithmetic, and a few were worked out by hand.
#include <QtTest>
#include <cmath>

#include "tests/ui/comparison/bench_fixture.h"
#include "ui/comparison/comparison_series.h"

using namespace spstudio;
using namespace spstudio::testing;
using spstudio::ui::AlignedConfigs;

namespace {

bool near(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

#define QCOMPARE_NEAR(actual, expected) \
  QVERIFY2(                             \
      near((actual), (expected)),       \
      qPrintable(                       \
          QStringLiteral("%1 = %2, expected %3").arg(#actual).arg((actual), 0, 'g', 17).arg((expected), 0, 'g', 17)))

bench::BenchRun without(bench::BenchRun run, int ulysses, int ring) {
  std::vector<bench::ConfigResult> kept;
  for (const bench::ConfigResult& c : run.configs)
    if (!(c.degrees.ulysses_degree == ulysses && c.degrees.ring_degree == ring)) kept.push_back(c);
  run.configs = kept;
  return run;
}

}  // namespace

class TestComparisonSeries : public QObject {
  Q_OBJECT
 private slots:
  void step_split_is_each_share_times_the_median_step() {
    const QJsonArray configs = fixture_configs(kBench256);
    const std::vector<ui::StepSplit> splits = ui::step_splits(fixture_run(kBench256));
    QCOMPARE(splits.size(), std::size_t(4));
    for (int i = 0; i < configs.size(); ++i) {
      const ui::StepSplit& s = splits[static_cast<std::size_t>(i)];
      const double median = field(configs[i], "step_ms", "median");
      QCOMPARE(QString::fromStdString(s.label), label_of(configs[i]));
      QCOMPARE_NEAR(s.compute_ms, field(configs[i], "time_share", "attention") * median);
      QCOMPARE_NEAR(s.all_to_all_ms, field(configs[i], "time_share", "all_to_all") * median);
      QCOMPARE_NEAR(s.ring_p2p_ms, field(configs[i], "time_share", "ring_p2p") * median);
      QCOMPARE_NEAR(s.other_ms, field(configs[i], "time_share", "other") * median);
      QCOMPARE_NEAR(s.median_ms, median);
      QCOMPARE_NEAR(s.p25_ms, field(configs[i], "step_ms", "p25"));
      QCOMPARE_NEAR(s.p75_ms, field(configs[i], "step_ms", "p75"));
      // The parts add up to the median step (the shares sum to 1).
      QVERIFY(std::abs(s.compute_ms + s.all_to_all_ms + s.ring_p2p_ms + s.other_ms - median) < 1e-6 * median);
    }
    // By hand: 2x1 spends 23.64 % of its 73.887 ms median step in all-to-all, 1x1 none.
    QVERIFY(std::abs(splits[1].all_to_all_ms - 17.4659115) < 1e-6);
    QCOMPARE(splits[0].all_to_all_ms, 0.0);
    QCOMPARE(splits[0].ring_p2p_ms, 0.0);
  }

  void speedup_is_against_the_1x1_baseline_with_ideal_and_efficiency() {
    const QJsonArray configs = fixture_configs(kBench256);
    const ui::Scaling scaling = ui::scaling(fixture_run(kBench256));
    QCOMPARE(scaling.baseline, 0);
    QCOMPARE(scaling.baseline_label, std::string("1x1"));
    QCOMPARE(scaling.baseline_world, 1);
    const double base = field(config_named(configs, "1x1"), "images_per_s");
    QCOMPARE(scaling.points.size(), std::size_t(4));
    for (int i = 0; i < configs.size(); ++i) {
      const ui::ScalingPoint& p = scaling.points[static_cast<std::size_t>(i)];
      const double world = field(configs[i], "world");
      QCOMPARE(QString::fromStdString(p.label), label_of(configs[i]));
      QCOMPARE(p.world, static_cast<int>(world));
      QCOMPARE_NEAR(p.images_per_s, field(configs[i], "images_per_s"));
      QCOMPARE_NEAR(p.speedup, field(configs[i], "images_per_s") / base);
      QCOMPARE_NEAR(p.ideal, world / 1.0);
      QCOMPARE_NEAR(p.efficiency, field(configs[i], "images_per_s") / base / world);
    }
    // By hand: 2.7429 / 1.5242 images/s = 1.7995x on 2 ranks, 90 % efficient.
    QVERIFY(std::abs(scaling.points[1].speedup - 1.7995093) < 1e-6);
    QVERIFY(std::abs(scaling.points[1].efficiency - 0.89975465) < 1e-6);
  }

  void without_1x1_the_smallest_world_is_the_baseline() {
    const QJsonArray configs = fixture_configs(kBench256);
    const ui::Scaling scaling = ui::scaling(without(fixture_run(kBench256), 1, 1));
    QCOMPARE(scaling.baseline, 0);  // 2x1: the first of world 2 (1x2 has world 2 too)
    QCOMPARE(scaling.baseline_label, std::string("2x1"));
    QCOMPARE(scaling.baseline_world, 2);
    const double base = field(config_named(configs, "2x1"), "images_per_s");
    const ui::ScalingPoint& p = scaling.points.back();  // 2x2
    QCOMPARE(p.label, std::string("2x2"));
    QCOMPARE_NEAR(p.ideal, 2.0);
    QCOMPARE_NEAR(p.speedup, field(config_named(configs, "2x2"), "images_per_s") / base);
    QCOMPARE_NEAR(p.efficiency, p.speedup / 2.0);
    QCOMPARE_NEAR(scaling.points.front().speedup, 1.0);
  }

  void no_throughput_at_the_baseline_gives_nan_not_infinity() {
    bench::BenchRun run = fixture_run(kBench256);
    run.configs[0].images_per_s = 0;
    const ui::Scaling scaling = ui::scaling(run);
    QVERIFY(std::isnan(scaling.points[1].speedup));
    QVERIFY(std::isnan(scaling.points[1].efficiency));
    QCOMPARE(ui::scaling(bench::BenchRun{}).baseline, -1);
    QVERIFY(ui::scaling(bench::BenchRun{}).points.empty());
  }

  void throughput_grid_is_ulysses_by_ring_with_missing_cells_nan() {
    const QJsonArray configs = fixture_configs(kBench256);
    const ui::ThroughputGrid grid = ui::throughput_grid(fixture_run(kBench256));
    QCOMPARE(grid.ulysses, (std::vector<int>{1, 2}));
    QCOMPARE(grid.ring, (std::vector<int>{1, 2}));
    QCOMPARE_NEAR(grid.at(0, 0), field(config_named(configs, "1x1"), "images_per_s"));
    QCOMPARE_NEAR(grid.at(1, 0), field(config_named(configs, "2x1"), "images_per_s"));
    QCOMPARE_NEAR(grid.at(0, 1), field(config_named(configs, "1x2"), "images_per_s"));
    QCOMPARE_NEAR(grid.at(1, 1), field(config_named(configs, "2x2"), "images_per_s"));

    const ui::ThroughputGrid partial = ui::throughput_grid(without(fixture_run(kBench256), 2, 2));
    QCOMPARE(partial.ulysses, (std::vector<int>{1, 2}));
    QVERIFY(std::isnan(partial.at(1, 1)));
    QCOMPARE_NEAR(partial.at(1, 0), field(config_named(configs, "2x1"), "images_per_s"));

    bench::BenchRun wide = fixture_run(kBench256);
    wide.configs[3].degrees = {4, 1};  // degrees 1, 2, 4 along U; R only 1 and 2
    const ui::ThroughputGrid gapped = ui::throughput_grid(wide);
    QCOMPARE(gapped.ulysses, (std::vector<int>{1, 2, 4}));
    QCOMPARE(gapped.ring, (std::vector<int>{1, 2}));
    QCOMPARE_NEAR(gapped.at(2, 0), field(config_named(configs, "2x2"), "images_per_s"));
    QVERIFY(std::isnan(gapped.at(2, 1)));
    QVERIFY(std::isnan(gapped.at(1, 1)));
  }

  void memory_per_rank_is_in_mib() {
    const QJsonArray configs = fixture_configs(kBench256);
    const std::vector<ui::RankMemory> memory = ui::memory_per_rank(fixture_run(kBench256));
    QCOMPARE(memory.size(), std::size_t(4));
    for (int i = 0; i < configs.size(); ++i) {
      const QJsonArray bytes = configs[i].toObject().value("peak_memory_bytes").toArray();
      const ui::RankMemory& m = memory[static_cast<std::size_t>(i)];
      QCOMPARE(m.mib.size(), static_cast<std::size_t>(bytes.size()));
      for (int r = 0; r < bytes.size(); ++r)
        QCOMPARE_NEAR(m.mib[static_cast<std::size_t>(r)], bytes[r].toDouble() / kBytesPerMiB);
    }
    QCOMPARE(memory[1].mib[0], 236.32421875);  // 247803904 bytes, by hand
    const bench::BenchRun run = fixture_run(kBench256);
    QCOMPARE(ui::peak_mib(run.configs[3]), 255877120 / kBytesPerMiB);  // rank 0 is the largest of four
  }

  void two_runs_align_by_configuration_label() {
    const bench::BenchRun a = fixture_run(kBench256);
    bench::BenchRun b = fixture_run(kBench384);
    std::swap(b.configs[0], b.configs[3]);  // 2x2, 2x1, 1x2, 1x1
    b.configs[2].degrees = {4, 1};          // 1x2 → 4x1
    const AlignedConfigs aligned = ui::align_configs({&a, &b});
    QCOMPARE(aligned.labels, (std::vector<std::string>{"1x1", "2x1", "1x2", "2x2", "4x1"}));
    QCOMPARE(aligned.index.size(), std::size_t(2));
    QCOMPARE(aligned.index[0], (std::vector<int>{0, 1, 2, 3, -1}));
    QCOMPARE(aligned.index[1], (std::vector<int>{3, 1, -1, 0, 2}));
    const AlignedConfigs single = ui::align_configs({&a});
    QCOMPARE(single.labels.size(), std::size_t(4));
    QVERIFY(ui::align_configs({}).labels.empty());
  }
};

QTEST_GUILESS_MAIN(TestComparisonSeries)
#include "test_comparison_series.moc"
