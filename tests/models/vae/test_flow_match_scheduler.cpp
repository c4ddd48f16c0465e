// SPDX-License-Identifier: Apache-2.0
// Expected schedules are recomputed here from diffusers' / FluxPipeline's formulas in double.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "error_text.h"
#include "models/vae/flow_match_scheduler.h"

namespace spstudio::models {
namespace {

using spstudio::testing::error_of;

/// black-forest-labs/FLUX.1-dev scheduler/scheduler_config.json.
nlohmann::json flux_scheduler_json() {
  return nlohmann::json::parse(R"({
    "_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.30.0.dev0",
    "base_image_seq_len": 256, "base_shift": 0.5, "max_image_seq_len": 4096, "max_shift": 1.15,
    "num_train_timesteps": 1000, "shift": 3.0, "use_dynamic_shifting": true})");
}

/// FluxPipeline: np.linspace(1, 1/n, n).
std::vector<double> flux_linspace(int n) {
  std::vector<double> t;
  for (int i = 0; i < n; ++i)
    t.push_back(n == 1 ? 1.0 : 1.0 - (1.0 - 1.0 / n) * i / (n - 1));
  return t;
}

void expect_schedule(const FlowMatchEulerScheduler& s, const std::vector<double>& sigmas) {
  ASSERT_EQ(s.sigmas().size(), sigmas.size() + 1);
  ASSERT_EQ(s.timesteps().size(), sigmas.size());
  for (std::size_t i = 0; i < sigmas.size(); ++i) {
    EXPECT_NEAR(s.sigmas()[i], sigmas[i], 1e-12) << i;
    EXPECT_NEAR(s.timesteps()[i], sigmas[i] * 1000.0, 1e-9) << i;
  }
  EXPECT_EQ(s.sigmas().back(), 0.0);
}

TEST(FlowMatchScheduler, StaticShiftOneIsThePlainLinspace) {
  FlowMatchEulerScheduler s;  // diffusers defaults: shift 1, no dynamic shifting
  s.set_timesteps(4);
  expect_schedule(s, {1.0, 0.75, 0.5, 0.25});
  EXPECT_EQ(s.timesteps()[1], 750.0);
}

TEST(FlowMatchScheduler, StaticShiftThree) {
  FlowMatchSchedulerConfig c;
  c.shift = 3.0;
  FlowMatchEulerScheduler s(c);
  s.set_timesteps(5);
  std::vector<double> expected;
  for (const double t : flux_linspace(5))
    expected.push_back(3.0 * t / (1.0 + 2.0 * t));
  expect_schedule(s, expected);
  // By hand: t = 0.6 → 1.8 / 2.2 = 0.8181...
  EXPECT_NEAR(s.sigmas()[2], 1.8 / 2.2, 1e-12);
}

TEST(FlowMatchScheduler, CalculateShiftInterpolatesBetweenBaseAndMax) {
  EXPECT_NEAR(calculate_shift(256), 0.5, 1e-12);
  EXPECT_NEAR(calculate_shift(4096), 1.15, 1e-12);
  EXPECT_NEAR(calculate_shift(1024), 0.5 + 0.65 * 768.0 / 3840.0, 1e-12);
  EXPECT_NEAR(calculate_shift(8192), 0.5 + 0.65 * 7936.0 / 3840.0, 1e-12);  // extrapolates
  const FlowMatchEulerScheduler s(FlowMatchSchedulerConfig::from_json(flux_scheduler_json()));
  EXPECT_NEAR(s.mu_for(4096), 1.15, 1e-12);
}

TEST(FlowMatchScheduler, DynamicShiftingAt256And4096Tokens) {
  for (const std::int64_t seq_len : {256, 4096}) {
    FlowMatchEulerScheduler s(FlowMatchSchedulerConfig::from_json(flux_scheduler_json()));
    const double mu = seq_len == 256 ? 0.5 : 1.15;
    s.set_timesteps(6, s.mu_for(seq_len));
    std::vector<double> expected;
    for (const double t : flux_linspace(6))
      expected.push_back(std::exp(mu) / (std::exp(mu) + (1.0 / t - 1.0)));
    SCOPED_TRACE(seq_len);
    expect_schedule(s, expected);
    EXPECT_EQ(s.sigmas()[0], 1.0);
  }
}

TEST(FlowMatchScheduler, LinearTimeShiftAndShiftTerminal) {
  nlohmann::json j = flux_scheduler_json();
  j["time_shift_type"] = "linear";
  FlowMatchEulerScheduler linear(FlowMatchSchedulerConfig::from_json(j));
  linear.set_timesteps(3, 0.8);
  std::vector<double> expected;
  for (const double t : flux_linspace(3))
    expected.push_back(0.8 / (0.8 + (1.0 / t - 1.0)));
  expect_schedule(linear, expected);

  j = flux_scheduler_json();
  j["shift_terminal"] = 0.1;
  FlowMatchEulerScheduler terminal(FlowMatchSchedulerConfig::from_json(j));
  terminal.set_timesteps(4, 1.15);
  std::vector<double> shifted;
  for (const double t : flux_linspace(4))
    shifted.push_back(std::exp(1.15) / (std::exp(1.15) + (1.0 / t - 1.0)));
  const double scale = (1.0 - shifted.back()) / 0.9;
  expected.clear();
  for (const double s : shifted)
    expected.push_back(1.0 - (1.0 - s) / scale);
  expect_schedule(terminal, expected);
  EXPECT_NEAR(terminal.sigmas()[3], 0.1, 1e-12);
  terminal.set_timesteps(1, 1.15);  // σ = 1 alone cannot be stretched
  EXPECT_EQ(terminal.sigmas(), (std::vector<double>{1.0, 0.0}));
}

TEST(FlowMatchScheduler, SingleStepGoesFromOneToZero) {
  FlowMatchEulerScheduler s;
  s.set_timesteps(1);
  EXPECT_EQ(s.sigmas(), (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(s.timesteps(), (std::vector<double>{1000.0}));
}

TEST(FlowMatchScheduler, EulerLoopOnTheLinearPathEndsAtX0) {
  // x_σ = σ·noise + (1 − σ)·x0 has velocity noise − x0 everywhere: a perfect model makes every
  // Euler step exact, so each step lands on the path and the last one on x0.
  at::Generator gen = at::detail::createCPUGenerator(5);
  const at::Tensor x0 = at::randn({2, 16, 8}, gen, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor noise = at::randn({2, 16, 8}, gen, at::TensorOptions().dtype(at::kFloat));
  FlowMatchEulerScheduler s(FlowMatchSchedulerConfig::from_json(flux_scheduler_json()));
  s.set_timesteps(8, s.mu_for(4096));
  at::Tensor sample = noise.clone();
  const at::Tensor velocity = noise - x0;
  for (std::int64_t i = 0; i < 8; ++i) {
    EXPECT_EQ(s.step_index(), i);
    EXPECT_EQ(s.current_sigma(), s.sigmas()[i]);
    EXPECT_EQ(s.current_timestep(), s.timesteps()[i]);
    EXPECT_TRUE(at::allclose(s.predicted_x0(velocity, sample), x0, 1e-5, 1e-5)) << i;
    sample = s.step(velocity, sample);
    const double sigma = s.sigmas()[i + 1];
    EXPECT_TRUE(at::allclose(sample, sigma * noise + (1.0 - sigma) * x0, 1e-5, 1e-5)) << i;
  }
  EXPECT_TRUE(s.done());
  EXPECT_TRUE(at::allclose(sample, x0, 1e-5, 1e-5));
  EXPECT_CONTAINS(error_of([&] { s.step(velocity, sample); }), "after the last of 8 steps");
  // set_timesteps starts over.
  s.set_timesteps(2, 0.5);
  EXPECT_EQ(s.step_index(), 0);
}

TEST(FlowMatchScheduler, StepUpcastsAndReturnsTheModelDtype) {
  FlowMatchEulerScheduler s;
  s.set_timesteps(2);  // sigmas 1, 0.5, 0
  const at::Tensor sample = at::full({4}, 1.0, at::kBFloat16);
  const at::Tensor v = at::full({4}, 0.25, at::kBFloat16);
  const at::Tensor next = s.step(v, sample);
  EXPECT_EQ(next.scalar_type(), at::kBFloat16);
  EXPECT_EQ(next[0].item<float>(), 1.0f - 0.5f * 0.25f);  // exact in bfloat16
  EXPECT_EQ(s.predicted_x0(v, sample).scalar_type(), at::kBFloat16);
  EXPECT_EQ(s.predicted_x0(v, sample)[0].item<float>(), 1.0f - 0.5f * 0.25f);  // σ = 0.5 now
}

TEST(FlowMatchScheduler, MisuseIsReported) {
  FlowMatchEulerScheduler s(FlowMatchSchedulerConfig::from_json(flux_scheduler_json()));
  EXPECT_CONTAINS(error_of([&] { s.step(at::zeros({1}), at::zeros({1})); }), "before set_timesteps");
  EXPECT_CONTAINS(error_of([&] { s.set_timesteps(4); }), "pass mu");
  EXPECT_CONTAINS(error_of([&] { s.set_timesteps(0, 0.5); }), "at least 1, got 0");
}

TEST(FlowMatchSchedulerConfig, ReadsFluxConfigAndDefaults) {
  const FlowMatchSchedulerConfig c = FlowMatchSchedulerConfig::from_json(flux_scheduler_json());
  EXPECT_EQ(c.num_train_timesteps, 1000);
  EXPECT_DOUBLE_EQ(c.shift, 3.0);
  EXPECT_TRUE(c.use_dynamic_shifting);
  EXPECT_DOUBLE_EQ(c.base_shift, 0.5);
  EXPECT_DOUBLE_EQ(c.max_shift, 1.15);
  EXPECT_EQ(c.base_image_seq_len, 256);
  EXPECT_EQ(c.max_image_seq_len, 4096);
  EXPECT_EQ(c.time_shift_type, TimeShiftType::kExponential);
  EXPECT_FALSE(c.shift_terminal.has_value());
  const FlowMatchSchedulerConfig d = FlowMatchSchedulerConfig::from_json(
      nlohmann::json::parse(R"({"shift_terminal": null, "use_karras_sigmas": false, "invert_sigmas": null})"));
  EXPECT_DOUBLE_EQ(d.shift, 1.0);
  EXPECT_FALSE(d.use_dynamic_shifting);
}

TEST(FlowMatchSchedulerConfig, RefusesUnimplementedOptionsByName) {
  for (const char* option :
       {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "invert_sigmas", "stochastic_sampling"}) {
    nlohmann::json j = flux_scheduler_json();
    j[option] = true;
    const std::string what = error_of([&] { FlowMatchSchedulerConfig::from_json(j); });
    EXPECT_CONTAINS(what, std::string("\"") + option + "\" is true");
    EXPECT_CONTAINS(what, "does not implement");
  }
}

TEST(FlowMatchSchedulerConfig, WrongTypesAndValuesNameTheKey) {
  nlohmann::json j = flux_scheduler_json();
  j["shift"] = "3";
  std::string what = error_of([&] { FlowMatchSchedulerConfig::from_json(j); });
  EXPECT_CONTAINS(what, "scheduler/scheduler_config.json");
  EXPECT_CONTAINS(what, "\"shift\" must be a number");

  j = flux_scheduler_json();
  j["use_dynamic_shifting"] = "yes";
  EXPECT_CONTAINS(error_of([&] { FlowMatchSchedulerConfig::from_json(j); }),
                  "\"use_dynamic_shifting\" must be true or false");

  j = flux_scheduler_json();
  j["time_shift_type"] = "cubic";
  EXPECT_CONTAINS(error_of([&] { FlowMatchSchedulerConfig::from_json(j); }), "\"time_shift_type\" is \"cubic\"");

  j = flux_scheduler_json();
  j["_class_name"] = "EulerDiscreteScheduler";
  EXPECT_CONTAINS(error_of([&] { FlowMatchSchedulerConfig::from_json(j); }),
                  "is for EulerDiscreteScheduler, expected FlowMatchEulerDiscreteScheduler");

  j = flux_scheduler_json();
  j["shift_terminal"] = 1.0;
  EXPECT_CONTAINS(error_of([&] { FlowMatchSchedulerConfig::from_json(j); }), "\"shift_terminal\" must be below 1");
}

}  // namespace
}  // namespace spstudio::models
