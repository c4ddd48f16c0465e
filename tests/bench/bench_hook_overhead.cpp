// SPDX-License-Identifier: Apache-2.0
// spstudio-bench-hooks: what the hook machinery costs.
//  1. The test DiT with no hooks and with its plan applied at P = 1 (every split/gather hook
//     installed, nothing to communicate), interleaved in one process so machine noise hits both
//     alike: medians and the median of per-iteration ratios, per size.
//  2. The cost of one module call: a virtual forward, call() with no hooks (boxing and binding the
//     arguments), and call() through an SP split hook and gather hook at P = 1.
// Prints tables and one JSON line per measurement for scripts.
//
//   spstudio-bench-hooks [--grids 4x4,16x16] [--iterations 200] [--threads 1]
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.h"
#include "common/plan_json.h"
#include "models/test_dit/test_dit.h"
#include "sp/apply_plan.h"

using namespace spstudio;
using bench::median;
using bench::percentile;

namespace {

struct Counter : sp::ModelHook {
  long calls = 0;
  void pre_forward(sp::HookableModule&, sp::Args&) override { ++calls; }
};

/// Hookable module calls per forward (counted once with a counting hook on every module).
long count_calls(models::TestDiT& dit, const models::TestDiTInputs& in) {
  auto counter = std::make_shared<Counter>();
  std::vector<sp::HookableModule*> hooked;
  for (const auto& m : dit->modules(/*include_self=*/true))
    if (auto* h = dynamic_cast<sp::HookableModule*>(m.get())) {
      h->hooks().register_hook("count", counter);
      hooked.push_back(h);
    }
  dit->forward(in);
  for (sp::HookableModule* h : hooked)
    h->hooks().remove_hook("count");
  return counter->calls;
}

class IdentityImpl : public sp::HookableModule {
 public:
  IdentityImpl() : sp::HookableModule("Identity", {"x"}) {}
  sp::Value direct(const sp::Value& x) { return forward_impl(sp::BoundArgs(signature(), sp::Args{x})); }

 protected:
  sp::Value forward_impl(const sp::BoundArgs& args) override { return args["x"]; }
};
TORCH_MODULE(Identity);

/// Nanoseconds per call of `fn`, median of 7 rounds of `n` calls.
template <class Fn>
double ns_per_call(long n, Fn&& fn) {
  std::vector<double> rounds;
  for (int r = 0; r < 7; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i)
      fn();
    rounds.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
                     static_cast<double>(n));
  }
  return median(rounds);
}

void dispatch_costs() {
  const long n = 200000;
  const at::Tensor x = at::zeros({1, 8, 4});
  Identity plain, hooked;
  const auto ctx = sp::SpContext::single_process();
  const SequenceParallelPlan plan = plan_from_json(R"({"format": "spstudio-plan/1", "model": "Identity",
      "entries": {"": {"split": {"x": {"dim": 1}}, "gather": [{"dim": 1}]}}})");
  sp::apply_sequence_parallel(*hooked, plan, ctx);
  const double direct = ns_per_call(n, [&] { plain->direct(x); });
  const double unhooked = ns_per_call(n, [&] { plain->call({x}); });
  const double with_hooks = ns_per_call(n, [&] { hooked->call({x}); });
  std::printf(
      "\nOne module call (ns): binding only %.0f, call() without hooks %.0f, call() through split + gather "
      "hooks at P = 1 %.0f\n",
      direct, unhooked, with_hooks);
  std::printf(
      "{\"bench\": \"module_call_ns\", \"bound_forward\": %.1f, \"call_no_hooks\": %.1f, "
      "\"call_split_gather_hooks\": %.1f}\n",
      direct, unhooked, with_hooks);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::BenchArgs args = bench::parse_bench_args(argc, argv, "spstudio-bench-hooks");
  const std::vector<std::string>& grids = args.grids;
  const int iterations = args.iterations, threads = args.threads;
  at::set_num_threads(threads);
  at::NoGradGuard no_grad;
  const models::TestDiTConfig config;
  std::printf("Hook overhead: test DiT, plan applied at P = 1 vs no hooks, %d interleaved iterations, %d thread(s)\n",
              iterations, threads);
  std::printf("%-7s %7s %11s %11s %13s %12s %16s\n", "grid", "tokens", "plain ms", "hooked ms", "ratio (p50)",
              "p10..p90", "module calls");
  for (const std::string& grid : grids) {
    const std::int64_t h = std::stoi(grid.substr(0, grid.find('x'))), w = std::stoi(grid.substr(grid.find('x') + 1));
    models::TestDiT plain(config), hooked(config);
    plain->init_weights(7);
    hooked->init_weights(7);
    const models::TestDiTInputs in = models::make_test_dit_inputs(config, h, w, 8, 1);
    const long calls = count_calls(plain, in);
    sp::apply_sequence_parallel(*hooked, models::test_dit_plan(config), sp::SpContext::single_process());
    if (!plain->forward(in).equal(hooked->forward(in))) {
      std::cerr << "the hooked model computed something else\n";
      return 1;
    }
    for (int i = 0; i < 10; ++i) {  // warm-up
      plain->forward(in);
      hooked->forward(in);
    }
    std::vector<double> t_plain, t_hooked, ratios;
    for (int i = 0; i < iterations; ++i) {
      auto time = [&](models::TestDiT& m) {
        const auto start = std::chrono::steady_clock::now();
        m->forward(in);
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      };
      // Alternate the order so neither always runs on a warmer cache.
      const double a = i % 2 ? time(plain) : 0, b = time(hooked), c = i % 2 ? 0 : time(plain);
      t_plain.push_back(a + c);
      t_hooked.push_back(b);
      ratios.push_back(b / (a + c));
    }
    const double mp = median(t_plain), mh = median(t_hooked);
    std::printf("%-7s %7lld %11.3f %11.3f %13.4f %5.3f..%5.3f %16ld\n", grid.c_str(), static_cast<long long>(h * w), mp,
                mh, median(ratios), percentile(ratios, 0.1), percentile(ratios, 0.9), calls);
    std::printf(
        "{\"bench\": \"hook_overhead\", \"grid\": \"%s\", \"tokens\": %lld, \"plain_ms\": %.4f, \"hooked_ms\": %.4f, "
        "\"ratio_median\": %.4f, \"ratio_p10\": %.4f, \"ratio_p90\": %.4f, \"calls_per_forward\": %ld}\n",
        grid.c_str(), static_cast<long long>(h * w), mp, mh, median(ratios), percentile(ratios, 0.1),
        percentile(ratios, 0.9), calls);
  }
  dispatch_costs();
  return 0;
}
