// SPDX-License-Identifier: Apache-2.0
// diffusers' FlowMatchEulerDiscreteScheduler as FluxPipeline drives it: sigmas linspace(1, 1/N, N),
// shifted statically or by the image size (mu), timesteps = sigmas · num_train_timesteps, and the
// Euler update x ← x + (σ_next − σ)·v. Schedule values are kept in double; tensors only in step().
#pragma once

#include <ATen/ATen.h>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace spstudio::models {

enum class TimeShiftType { kExponential, kLinear };

struct FlowMatchSchedulerConfig {
  // Defaults are diffusers' FlowMatchEulerDiscreteScheduler.__init__ defaults.
  std::int64_t num_train_timesteps = 1000;
  double shift = 1.0;  ///< static shift, used when use_dynamic_shifting is false
  bool use_dynamic_shifting = false;
  double base_shift = 0.5;
  double max_shift = 1.15;
  std::int64_t base_image_seq_len = 256;
  std::int64_t max_image_seq_len = 4096;
  TimeShiftType time_shift_type = TimeShiftType::kExponential;
  /// Stretch the shifted schedule so its last sigma equals this (LTX-style); absent for Flux.
  std::optional<double> shift_terminal;

  /// Reads scheduler/scheduler_config.json. Options this class does not implement (use_karras_sigmas,
  /// use_exponential_sigmas, use_beta_sigmas, invert_sigmas, stochastic_sampling) are refused when
  /// true, with an error naming the option; wrong types name the key.
  static FlowMatchSchedulerConfig from_json(const nlohmann::json& j);
};

/// FluxPipeline's calculate_shift: mu interpolated linearly in the image token count, from base_shift
/// at base_seq_len to max_shift at max_seq_len (and extrapolated beyond).
double calculate_shift(std::int64_t image_seq_len, std::int64_t base_seq_len = 256, std::int64_t max_seq_len = 4096,
                       double base_shift = 0.5, double max_shift = 1.15);

class FlowMatchEulerScheduler {
 public:
  explicit FlowMatchEulerScheduler(FlowMatchSchedulerConfig config = {});

  const FlowMatchSchedulerConfig& config() const { return config_; }
  /// calculate_shift with this config's base/max sequence lengths and shifts.
  double mu_for(std::int64_t image_seq_len) const;

  /// Builds the schedule for `num_inference_steps` steps and resets the step index. `mu` is required
  /// with use_dynamic_shifting (see mu_for) and ignored otherwise.
  void set_timesteps(std::int64_t num_inference_steps, std::optional<double> mu = std::nullopt);

  /// num_inference_steps + 1 values, from ~1 down to the appended terminal 0.
  const std::vector<double>& sigmas() const { return sigmas_; }
  /// num_inference_steps values: sigmas · num_train_timesteps (what the transformer receives / 1000).
  const std::vector<double>& timesteps() const { return timesteps_; }
  std::int64_t num_inference_steps() const { return static_cast<std::int64_t>(timesteps_.size()); }

  /// Index of the next step() (0 after set_timesteps); equals num_inference_steps() when done.
  std::int64_t step_index() const { return step_index_; }
  bool done() const { return step_index_ >= num_inference_steps(); }
  double current_sigma() const;
  double current_timestep() const;

  /// One Euler step from the current sigma to the next: sample + (σ_next − σ)·model_output,
  /// computed in float32 (like diffusers; float64 stays float64) and returned in model_output's dtype; advances the
  /// index.
  at::Tensor step(const at::Tensor& model_output, const at::Tensor& sample);
  /// The clean sample implied at the current step: sample − σ·model_output (velocity = noise − x0),
  /// in float32 arithmetic or wider, returned in model_output's dtype. Does not advance.
  at::Tensor predicted_x0(const at::Tensor& model_output, const at::Tensor& sample) const;

 private:
  double time_shift(double mu, double t) const;
  void require_step(const char* what) const;

  FlowMatchSchedulerConfig config_;
  std::vector<double> sigmas_;
  std::vector<double> timesteps_;
  std::int64_t step_index_ = 0;
};

}  // namespace spstudio::models
