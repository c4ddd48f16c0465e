// SPDX-License-Identifier: Apache-2.0
// spstudio-bench-profiling: what recording profiling ranges costs.
//  1. The test DiT (plan applied at P = 1, so shard/gather ranges fire too) with the RangeRecorder
//     off and on, interleaved in one process so machine noise hits both alike; the recorded ranges
//     are drained after every forward, as a worker does after every step, inside the timing.
//  2. The cost of one ScopedRange open + close, recording off and on.
// Prints a table and one JSON line per measurement for scripts.
//
//   spstudio-bench-profiling [--grids 4x4,16x16] [--iterations 200] [--threads 1]
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.h"
#include "common/profiling/range_names.h"
#include "models/test_dit/test_dit.h"
#include "sp/apply_plan.h"
#include "sp/profiling/scoped_range.h"

using namespace spstudio;
using bench::median;
using bench::percentile;

namespace {

/// Nanoseconds per ScopedRange, median of 7 rounds of `n` ranges (drained after each round).
double ns_per_range(long n, bool recording) {
  sp::RangeRecorder& recorder = sp::RangeRecorder::instance();
  recorder.set_enabled(recording);
  std::vector<double> rounds;
  for (int r = 0; r < 7; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) {
      const sp::ScopedRange range(range_names::kAttentionKernel);
    }
    recorder.take_ranges();
    rounds.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
                     static_cast<double>(n));
  }
  recorder.set_enabled(false);
  return median(rounds);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::BenchArgs args = bench::parse_bench_args(argc, argv, "spstudio-bench-profiling");
  const std::vector<std::string>& grids = args.grids;
  const int iterations = args.iterations, threads = args.threads;
  at::set_num_threads(threads);
  at::NoGradGuard no_grad;
  sp::RangeRecorder& recorder = sp::RangeRecorder::instance();
  const models::TestDiTConfig config;
  std::printf(
      "Profiling overhead: test DiT (plan at P = 1), recording off vs on, %d interleaved iterations, %d thread(s)\n",
      iterations, threads);
  std::printf("%-7s %7s %9s %9s %13s %12s %17s\n", "grid", "tokens", "off ms", "on ms", "ratio (p50)", "p10..p90",
              "ranges/forward");
  for (const std::string& grid : grids) {
    const std::int64_t h = std::stoi(grid.substr(0, grid.find('x'))), w = std::stoi(grid.substr(grid.find('x') + 1));
    models::TestDiT dit(config);
    dit->init_weights(7);
    sp::apply_sequence_parallel(*dit, models::test_dit_plan(config), sp::SpContext::single_process());
    const models::TestDiTInputs in = models::make_test_dit_inputs(config, h, w, 8, 1);

    recorder.set_enabled(true);
    const at::Tensor recorded = dit->forward(in);
    const std::size_t ranges_per_forward = recorder.take_ranges().size();
    recorder.set_enabled(false);
    if (!recorded.equal(dit->forward(in))) {
      std::cerr << "recording ranges changed the result\n";
      return 1;
    }
    for (int i = 0; i < 10; ++i)  // warm-up
      dit->forward(in);

    auto time = [&](bool recording) {
      recorder.set_enabled(recording);
      const auto start = std::chrono::steady_clock::now();
      dit->forward(in);
      if (recording) recorder.take_ranges();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      recorder.set_enabled(false);
      return ms;
    };
    std::vector<double> t_off, t_on, ratios;
    for (int i = 0; i < iterations; ++i) {
      // Alternate the order so neither always runs on a warmer cache.
      const double a = i % 2 ? time(false) : 0, b = time(true), c = i % 2 ? 0 : time(false);
      t_off.push_back(a + c);
      t_on.push_back(b);
      ratios.push_back(b / (a + c));
    }
    const double m_off = median(t_off), m_on = median(t_on);
    std::printf("%-7s %7lld %9.3f %9.3f %13.4f %5.3f..%5.3f %17zu\n", grid.c_str(), static_cast<long long>(h * w),
                m_off, m_on, median(ratios), percentile(ratios, 0.1), percentile(ratios, 0.9), ranges_per_forward);
    std::printf(
        "{\"bench\": \"profiling_overhead\", \"grid\": \"%s\", \"tokens\": %lld, \"off_ms\": %.4f, \"on_ms\": %.4f, "
        "\"ratio_median\": %.4f, \"ratio_p10\": %.4f, \"ratio_p90\": %.4f, \"ranges_per_forward\": %zu}\n",
        grid.c_str(), static_cast<long long>(h * w), m_off, m_on, median(ratios), percentile(ratios, 0.1),
        percentile(ratios, 0.9), ranges_per_forward);
  }
  const double off = ns_per_range(200000, false), on = ns_per_range(200000, true);
  std::printf(
      "\nOne ScopedRange open + close (ns): recording off %.1f, on %.1f (NVTX push/pop, when built with NVTX, in "
      "both)\n",
      off, on);
  std::printf("{\"bench\": \"scoped_range_ns\", \"off\": %.1f, \"on\": %.1f}\n", off, on);
  return 0;
}
