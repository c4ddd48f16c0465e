// SPDX-License-Identifier: Apache-2.0
// What the comparison plots show, computed from benchmark sweeps (bench::BenchRun) with no GUI so
// it is unit-tested on its own: the step time split by where it went, speed-up and parallel
// efficiency against the world size, images/s over the (U, R) grid and peak memory per rank; and
// the alignment of two sweeps on one configuration axis.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/profiling/bench_results.h"

namespace spstudio::ui {

/// One configuration's median step in ms, split by the measured time shares (share × median).
/// The spread is rank 0's step time quartiles: the error bars show p25..p75 around the median.
struct StepSplit {
  std::string label;      ///< "2x1"
  double compute_ms = 0;  ///< attention kernels
  double all_to_all_ms = 0, ring_p2p_ms = 0, other_ms = 0;
  double median_ms = 0, p25_ms = 0, p75_ms = 0;
};
std::vector<StepSplit> step_splits(const bench::BenchRun& run);

/// Speed-up = images/s ÷ the baseline's images/s; ideal = world ÷ baseline world;
/// efficiency = speed-up ÷ ideal. NaN where the baseline measured no throughput.
struct ScalingPoint {
  std::string label;
  int world = 1;
  double images_per_s = 0, speedup = 0, ideal = 0, efficiency = 0;
};
struct Scaling {
  int baseline = -1;  ///< index into the run's configurations; -1 for an empty run
  std::string baseline_label;
  int baseline_world = 1;
  std::vector<ScalingPoint> points;  ///< in the run's configuration order
};
/// The baseline is the 1x1 configuration when the run has one, else the first of the smallest world.
Scaling scaling(const bench::BenchRun& run);

/// images/s over the Ulysses (columns) × ring (rows) degrees that occur in the run, ascending;
/// NaN where that pair was not measured.
struct ThroughputGrid {
  std::vector<int> ulysses, ring;
  std::vector<double> images_per_s;  ///< row-major: [ring index][ulysses index]
  double at(std::size_t ulysses_index, std::size_t ring_index) const {
    return images_per_s[ring_index * ulysses.size() + ulysses_index];
  }
};
ThroughputGrid throughput_grid(const bench::BenchRun& run);

/// Peak memory of every rank in MiB (2^20 bytes).
struct RankMemory {
  std::string label;
  std::vector<double> mib;  ///< per rank
};
std::vector<RankMemory> memory_per_rank(const bench::BenchRun& run);
double peak_mib(const bench::ConfigResult& result);  ///< max over ranks, 0 with none

/// Several runs on one configuration axis: the labels of the first run in its order, then those
/// only later runs have; index[run][k] is the position of labels[k] in that run, -1 when absent.
struct AlignedConfigs {
  std::vector<std::string> labels;
  std::vector<std::vector<int>> index;
};
AlignedConfigs align_configs(const std::vector<const bench::BenchRun*>& runs);

}  // namespace spstudio::ui
