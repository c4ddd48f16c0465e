// SPDX-License-Identifier: Apache-2.0
#include "sp_check.h"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "models/test_dit/test_dit.h"
#include "sp/apply_plan.h"

namespace spstudio::workers {
namespace {

double max_abs(const at::Tensor& t) {
  return t.abs().max().item<double>();
}

template <class Fn>
double time_ms(Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string SpCheckResult::to_line() const {
  std::ostringstream s;
  s.precision(6);
  s << "RESULT passed=" << (passed() ? 1 : 0) << " max_abs_diff=" << max_abs_diff << " max_abs_ref=" << max_abs_ref
    << " max_abs_diff_f64=" << max_abs_diff_f64 << " strategy=" << strategy << " reference_ms=" << reference_ms
    << " sp_ms=" << sp_ms_median << " shape=";
  for (std::size_t i = 0; i < output_shape.size(); ++i)
    s << (i ? "x" : "") << output_shape[i];
  return s.str();
}

std::map<std::string, std::string> parse_result_line(const std::string& output) {
  std::map<std::string, std::string> values;
  const auto at = output.rfind("RESULT ");
  if (at == std::string::npos) return values;
  std::istringstream line(output.substr(at + 7, output.find('\n', at) - at - 7));
  std::string item;
  while (line >> item) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) values[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return values;
}

SpCheckResult run_sp_check(const sp::Rendezvous& rendezvous, const SpCheckOptions& o) {
  using namespace models;
  TestDiTConfig config;
  config.joint_rope_table = o.joint_rope_table;
  config.kv_heads = o.kv_heads;
  TestDiT dit(config);
  dit->init_weights(o.seed);
  const TestDiTInputs inputs = make_test_dit_inputs(config, o.grid_h, o.grid_w, o.text_tokens, o.seed + 1);

  SpCheckResult r;
  at::Tensor reference;
  r.reference_ms = time_ms([&] { reference = dit->forward(inputs); });
  r.max_abs_ref = max_abs(reference);

  const auto context = std::make_shared<sp::SpContext>(sp::init_sp_groups_gloo(rendezvous, o.config));
  sp::apply_sequence_parallel(*dit, test_dit_plan(config), context);
  std::vector<double> times;
  at::Tensor out;
  for (int i = 0; i < std::max(1, o.repeats); ++i) {
    times.push_back(time_ms([&] { out = dit->forward(inputs); }));
    r.max_abs_diff = std::max(r.max_abs_diff, max_abs(out - reference));
  }
  std::sort(times.begin(), times.end());
  r.sp_ms_median = times[times.size() / 2];
  r.output_shape = out.sizes().vec();
  r.strategy = dit->transformer_blocks[0]->as<JointTransformerBlockImpl>()->attn->attention->last_strategy();

  if (context->rank() == 0) {  // an independent float64 run of the same weights
    TestDiT dit64(config);
    dit64->init_weights(o.seed);
    dit64->to(at::kDouble);
    r.max_abs_diff_f64 = max_abs(out.to(at::kDouble) - dit64->forward(inputs.to(at::kDouble)));
  }
  context->sp_group().barrier();  // nobody leaves while a peer still needs it
  return r;
}

}  // namespace spstudio::workers
