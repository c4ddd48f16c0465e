// SPDX-License-Identifier: Apache-2.0
// spstudio-engine-demo: the headless demo of the sequence-parallel engine (the README's main job
// until the window exists). For each parallel configuration it starts one process per rank,
// runs the test DiT with its shipped plan over Gloo, and prints what each configuration computed
// against the single-process run.
//
//   spstudio-engine-demo [--configs 1x1,2x1,1x2,2x2,4x1,1x4] [--grid 16x16] [--text 12] [--repeat 3]
#include <ATen/Parallel.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/plan_json.h"
#include "local_launcher.h"
#include "models/test_dit/test_dit.h"
#include "sp/torch_compat.h"
#include "sp_check.h"

using namespace spstudio;

namespace {

struct DemoOptions {
  std::vector<ParallelConfig> configs{{1, 1}, {2, 1}, {1, 2}, {2, 2}, {4, 1}, {1, 4}};
  std::string grid = "16x16";
  int text = 12;
  int repeat = 3;
  // Rank mode (started by the demo itself).
  int rank = -1, world = 0;
  std::string rendezvous;
  ParallelConfig config;
};

ParallelConfig parse_config(const std::string& s) {
  const auto x = s.find('x');
  if (x == std::string::npos) throw std::invalid_argument("a configuration is UxR, e.g. 2x2, not '" + s + "'");
  return {std::stoi(s.substr(0, x)), std::stoi(s.substr(x + 1))};
}

DemoOptions parse(int argc, char** argv) {
  DemoOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--configs") {
      o.configs.clear();
      std::stringstream list(next());
      for (std::string item; std::getline(list, item, ',');)
        o.configs.push_back(parse_config(item));
    } else if (a == "--grid") {
      o.grid = next();
    } else if (a == "--text") {
      o.text = std::stoi(next());
    } else if (a == "--repeat") {
      o.repeat = std::stoi(next());
    } else if (a == "--rank") {
      o.rank = std::stoi(next());
    } else if (a == "--world") {
      o.world = std::stoi(next());
    } else if (a == "--rendezvous") {
      o.rendezvous = next();
    } else if (a == "--config") {
      o.config = parse_config(next());
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: spstudio-engine-demo [--configs 1x1,2x1,1x2,2x2,4x1,1x4] [--grid HxW] [--text T] "
                   "[--repeat N]\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument " + a + " (try --help)");
    }
  }
  return o;
}

workers::SpCheckOptions check_options(const DemoOptions& o, const ParallelConfig& config) {
  workers::SpCheckOptions c;
  c.config = config;
  c.grid_h = std::stoi(o.grid.substr(0, o.grid.find('x')));
  c.grid_w = std::stoi(o.grid.substr(o.grid.find('x') + 1));
  c.text_tokens = o.text;
  c.repeats = o.repeat;
  return c;
}

int run_rank(const DemoOptions& o) {
  at::set_num_threads(1);
  try {
    sp::Rendezvous r{o.rendezvous, o.rank, o.world};
    const workers::SpCheckResult result = workers::run_sp_check(r, check_options(o, o.config));
    std::cout << result.to_line() << std::endl;
    return result.passed() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "rank " << o.rank << ": " << e.what() << std::endl;
    return 1;
  }
}

int run_demo(const DemoOptions& o) {
  const workers::SpCheckOptions shape = check_options(o, {});
  std::cout << "SP Studio engine demo (LibTorch " << sp::compat::torch_version() << ", CPU ranks over Gloo)\n"
            << "Model: the test DiT (" << models::TestDiTConfig{}.double_blocks << " joint + "
            << models::TestDiTConfig{}.single_blocks << " single-stream blocks, " << models::TestDiTConfig{}.heads
            << " heads), " << shape.grid_h * shape.grid_w << " image tokens + " << shape.text_tokens
            << " joint text tokens.\n"
            << "Plan (plans/test_dit.json): split hidden_states at the root, shard the image RoPE tables, "
               "gather after proj_out.\n"
            << "Each configuration starts one process per rank and compares the sequence-parallel output "
               "with the single-process run.\n\n";
  std::printf("%-8s %5s  %-8s %10s %12s %16s %14s  %s\n", "config", "ranks", "strategy", "SP ms", "1-proc ms",
              "max|Δ|/max|ref|", "vs float64", "result");
  bool all_ok = true;
  for (const ParallelConfig& c : o.configs) {
    workers::LaunchOptions launch_options;
    launch_options.environment = workers::single_thread_environment();
    auto rank_args = [&](int rank, const std::string& rendezvous) {
      return std::vector<std::string>{
          "--rank",       std::to_string(rank),
          "--world",      std::to_string(c.sp_size()),
          "--rendezvous", rendezvous,
          "--config",     std::to_string(c.ulysses_degree) + "x" + std::to_string(c.ring_degree),
          "--grid",       o.grid,
          "--text",       std::to_string(o.text),
          "--repeat",     std::to_string(o.repeat)};
    };
    const workers::LaunchResult launch =
        workers::launch_local_ranks(workers::self_executable(), c.sp_size(), rank_args, launch_options);
    const auto r0 = workers::parse_result_line(launch.ranks.at(0).output);
    if (!launch.ok() || r0.empty()) {
      all_ok = false;
      std::printf("%-8s %5d  FAILED\n%s\n", c.to_string().c_str(), c.sp_size(), launch.report().c_str());
      continue;
    }
    const double ratio = std::stod(r0.at("max_abs_diff")) / std::stod(r0.at("max_abs_ref"));
    const double ratio64 = std::stod(r0.at("max_abs_diff_f64")) / std::stod(r0.at("max_abs_ref"));
    std::printf("%-8s %5d  %-8s %10.2f %12.2f %16.2e %14.2e  %s\n", c.to_string().c_str(), c.sp_size(),
                r0.at("strategy").c_str(), std::stod(r0.at("sp_ms")), std::stod(r0.at("reference_ms")), ratio, ratio64,
                r0.at("passed") == "1" ? "equal (≤ 1e-4)" : "DIFFERENT");
    all_ok = all_ok && r0.at("passed") == "1";
  }
  std::cout << "\nTimes are one CPU core per rank on this machine: SP shows correctness here, not speed.\n";
  return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const DemoOptions o = parse(argc, argv);
    return o.rank >= 0 ? run_rank(o) : run_demo(o);
  } catch (const std::exception& e) {
    std::cerr << "spstudio-engine-demo: " << e.what() << "\n";
    return 2;
  }
}
