// SPDX-License-Identifier: Apache-2.0
// The comparison view's numbers from a benchmark sweep: plain arithmetic on bench::ConfigResult.
#include "ui/comparison/comparison_series.h"

#include <algorithm>
#include <limits>

namespace spstudio::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kBytesPerMiB = 1024.0 * 1024.0;

int baseline_index(const bench::BenchRun& run) {
  int best = -1;
  for (std::size_t i = 0; i < run.configs.size(); ++i) {
    const bench::ConfigResult& c = run.configs[i];
    if (c.degrees.ulysses_degree == 1 && c.degrees.ring_degree == 1) return static_cast<int>(i);
    if (best < 0 || c.world < run.configs[static_cast<std::size_t>(best)].world) best = static_cast<int>(i);
  }
  return best;
}

std::vector<int> sorted_unique(std::vector<int> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

std::size_t position_of(const std::vector<int>& values, int value) {
  return static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), value) - values.begin());
}

}  // namespace

std::vector<StepSplit> step_splits(const bench::BenchRun& run) {
  std::vector<StepSplit> splits;
  for (const bench::ConfigResult& c : run.configs) {
    StepSplit s;
    s.label = bench::config_label(c.degrees);
    s.median_ms = c.step_ms.median;
    s.p25_ms = c.step_ms.p25;
    s.p75_ms = c.step_ms.p75;
    s.compute_ms = c.shares.attention * c.step_ms.median;
    s.all_to_all_ms = c.shares.all_to_all * c.step_ms.median;
    s.ring_p2p_ms = c.shares.ring_p2p * c.step_ms.median;
    s.other_ms = c.shares.other * c.step_ms.median;
    splits.push_back(s);
  }
  return splits;
}

Scaling scaling(const bench::BenchRun& run) {
  Scaling result;
  result.baseline = baseline_index(run);
  if (result.baseline < 0) return result;
  const bench::ConfigResult& base = run.configs[static_cast<std::size_t>(result.baseline)];
  result.baseline_label = bench::config_label(base.degrees);
  result.baseline_world = std::max(1, base.world);
  for (const bench::ConfigResult& c : run.configs) {
    ScalingPoint p;
    p.label = bench::config_label(c.degrees);
    p.world = c.world;
    p.images_per_s = c.images_per_s;
    p.speedup = base.images_per_s > 0 ? c.images_per_s / base.images_per_s : kNaN;
    p.ideal = static_cast<double>(c.world) / result.baseline_world;
    p.efficiency = p.ideal > 0 ? p.speedup / p.ideal : kNaN;
    result.points.push_back(p);
  }
  return result;
}

ThroughputGrid throughput_grid(const bench::BenchRun& run) {
  ThroughputGrid grid;
  std::vector<int> ulysses, ring;
  for (const bench::ConfigResult& c : run.configs) {
    ulysses.push_back(c.degrees.ulysses_degree);
    ring.push_back(c.degrees.ring_degree);
  }
  grid.ulysses = sorted_unique(ulysses);
  grid.ring = sorted_unique(ring);
  grid.images_per_s.assign(grid.ulysses.size() * grid.ring.size(), kNaN);
  for (const bench::ConfigResult& c : run.configs) {
    const std::size_t u = position_of(grid.ulysses, c.degrees.ulysses_degree);
    const std::size_t r = position_of(grid.ring, c.degrees.ring_degree);
    grid.images_per_s[r * grid.ulysses.size() + u] = c.images_per_s;
  }
  return grid;
}

double peak_mib(const bench::ConfigResult& result) {
  std::uint64_t peak = 0;
  for (std::uint64_t bytes : result.peak_memory_bytes)
    peak = std::max(peak, bytes);
  return static_cast<double>(peak) / kBytesPerMiB;
}

std::vector<RankMemory> memory_per_rank(const bench::BenchRun& run) {
  std::vector<RankMemory> memory;
  for (const bench::ConfigResult& c : run.configs) {
    RankMemory m;
    m.label = bench::config_label(c.degrees);
    for (std::uint64_t bytes : c.peak_memory_bytes)
      m.mib.push_back(static_cast<double>(bytes) / kBytesPerMiB);
    memory.push_back(m);
  }
  return memory;
}

AlignedConfigs align_configs(const std::vector<const bench::BenchRun*>& runs) {
  AlignedConfigs aligned;
  for (const bench::BenchRun* run : runs) {
    for (const bench::ConfigResult& c : run->configs) {
      const std::string label = bench::config_label(c.degrees);
      if (std::find(aligned.labels.begin(), aligned.labels.end(), label) == aligned.labels.end())
        aligned.labels.push_back(label);
    }
  }
  for (const bench::BenchRun* run : runs) {
    std::vector<int> index(aligned.labels.size(), -1);
    for (std::size_t i = 0; i < run->configs.size(); ++i) {
      const std::string label = bench::config_label(run->configs[i].degrees);
      const auto k = static_cast<std::size_t>(std::find(aligned.labels.begin(), aligned.labels.end(), label) -
                                              aligned.labels.begin());
      if (index[k] < 0) index[k] = static_cast<int>(i);  // a repeated configuration: its first measurement
    }
    aligned.index.push_back(std::move(index));
  }
  return aligned;
}

}  // namespace spstudio::ui
