// SPDX-License-Identifier: Apache-2.0
// What the in-process micro-benchmarks share: their command line (--grids 4x4,16x16
// --iterations N --threads T) and order statistics of timing samples.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace spstudio::bench {

struct BenchArgs {
  std::vector<std::string> grids{"4x4", "16x16"};
  int iterations = 200;
  int threads = 1;
};

/// Exits with a usage line naming `program` on anything it does not know.
inline BenchArgs parse_bench_args(int argc, char** argv, const char* program) {
  BenchArgs args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--grids" && i + 1 < argc) {
      args.grids.clear();
      std::stringstream list(argv[++i]);
      for (std::string g; std::getline(list, g, ',');)
        args.grids.push_back(g);
    } else if (a == "--iterations" && i + 1 < argc) {
      args.iterations = std::stoi(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      args.threads = std::stoi(argv[++i]);
    } else {
      std::cerr << "usage: " << program << " [--grids 4x4,16x16] [--iterations N] [--threads T]\n";
      std::exit(2);
    }
  }
  return args;
}

/// The sample at quantile p (0..1) of the sorted values (nearest rank below).
inline double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace spstudio::bench
