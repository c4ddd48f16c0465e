// SPDX-License-Identifier: Apache-2.0
#include "models/vae/flow_match_scheduler.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include "models/vae/config_fields.h"

namespace spstudio::models {
namespace {

const std::string kWhere = "scheduler/scheduler_config.json";

[[noreturn]] void bad(const std::string& message) {
  throw std::invalid_argument(kWhere + ": " + message);
}

/// float32 for half types and float32 (diffusers' upcast); float64 inputs stay float64.
at::ScalarType upcast_type(const at::Tensor& a, const at::Tensor& b) {
  return at::promote_types(at::promote_types(a.scalar_type(), b.scalar_type()), at::kFloat);
}

}  // namespace

FlowMatchSchedulerConfig FlowMatchSchedulerConfig::from_json(const nlohmann::json& j) {
  namespace f = config_fields;
  // Another scheduler's file would be read here without complaint otherwise: its sigmas differ.
  const std::string class_name = f::string(j, "_class_name", "FlowMatchEulerDiscreteScheduler", kWhere);
  if (class_name != "FlowMatchEulerDiscreteScheduler")
    bad("is for " + class_name + ", expected FlowMatchEulerDiscreteScheduler");
  FlowMatchSchedulerConfig c;
  c.num_train_timesteps = f::integer(j, "num_train_timesteps", c.num_train_timesteps, kWhere);
  c.shift = f::number(j, "shift", c.shift, kWhere);
  c.use_dynamic_shifting = f::boolean(j, "use_dynamic_shifting", c.use_dynamic_shifting, kWhere);
  // diffusers types these Optional: a null means "the default".
  c.base_shift = f::optional_number(j, "base_shift", kWhere).value_or(c.base_shift);
  c.max_shift = f::optional_number(j, "max_shift", kWhere).value_or(c.max_shift);
  if (const auto v = f::optional_number(j, "base_image_seq_len", kWhere)) c.base_image_seq_len = std::llround(*v);
  if (const auto v = f::optional_number(j, "max_image_seq_len", kWhere)) c.max_image_seq_len = std::llround(*v);
  // diffusers tests `if self.config.shift_terminal:`, so 0 means "off" like null.
  c.shift_terminal = f::optional_number(j, "shift_terminal", kWhere);
  if (c.shift_terminal && *c.shift_terminal == 0.0) c.shift_terminal.reset();

  const std::string shift_type = f::string(j, "time_shift_type", "exponential", kWhere);
  if (shift_type == "exponential") {
    c.time_shift_type = TimeShiftType::kExponential;
  } else if (shift_type == "linear") {
    c.time_shift_type = TimeShiftType::kLinear;
  } else {
    bad("\"time_shift_type\" is \"" + shift_type + "\"; expected \"exponential\" or \"linear\"");
  }

  for (const char* option :
       {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "invert_sigmas", "stochastic_sampling"}) {
    // Null is how diffusers writes an unset Optional[bool].
    const auto it = j.find(option);
    if (it == j.end() || it->is_null()) continue;
    if (f::boolean(j, option, false, kWhere))
      bad(std::string("\"") + option + "\" is true, which SP Studio's FlowMatchEulerScheduler does not implement");
  }

  if (c.num_train_timesteps < 1)
    bad("\"num_train_timesteps\" must be at least 1, got " + std::to_string(c.num_train_timesteps));
  if (c.use_dynamic_shifting && c.max_image_seq_len == c.base_image_seq_len)
    bad("\"max_image_seq_len\" must differ from \"base_image_seq_len\" for dynamic shifting");
  if (c.shift_terminal && *c.shift_terminal >= 1.0)
    bad("\"shift_terminal\" must be below 1, got " + std::to_string(*c.shift_terminal));
  return c;
}

double calculate_shift(std::int64_t image_seq_len, std::int64_t base_seq_len, std::int64_t max_seq_len,
                       double base_shift, double max_shift) {
  if (max_seq_len == base_seq_len)
    throw std::invalid_argument("calculate_shift: max_seq_len and base_seq_len are both " +
                                std::to_string(base_seq_len));
  const double m = (max_shift - base_shift) / static_cast<double>(max_seq_len - base_seq_len);
  const double b = base_shift - m * static_cast<double>(base_seq_len);
  return static_cast<double>(image_seq_len) * m + b;
}

FlowMatchEulerScheduler::FlowMatchEulerScheduler(FlowMatchSchedulerConfig config) : config_(std::move(config)) {}

double FlowMatchEulerScheduler::mu_for(std::int64_t image_seq_len) const {
  return calculate_shift(image_seq_len, config_.base_image_seq_len, config_.max_image_seq_len, config_.base_shift,
                         config_.max_shift);
}

double FlowMatchEulerScheduler::time_shift(double mu, double t) const {
  // diffusers' time_shift(mu, sigma=1, t); at t = 1 both forms give exactly 1.
  const double odds = 1.0 / t - 1.0;
  if (config_.time_shift_type == TimeShiftType::kLinear) return mu / (mu + odds);
  return std::exp(mu) / (std::exp(mu) + odds);
}

void FlowMatchEulerScheduler::set_timesteps(std::int64_t num_inference_steps, std::optional<double> mu) {
  if (num_inference_steps < 1)
    throw std::invalid_argument("set_timesteps: the number of steps must be at least 1, got " +
                                std::to_string(num_inference_steps));
  if (config_.use_dynamic_shifting && !mu)
    throw std::invalid_argument("set_timesteps: this scheduler uses dynamic shifting; pass mu (mu_for(image_seq_len))");
  const std::int64_t n = num_inference_steps;
  std::vector<double> sigmas(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    // FluxPipeline's np.linspace(1.0, 1 / n, n).
    const double t = n == 1 ? 1.0 : 1.0 + (1.0 / n - 1.0) * static_cast<double>(i) / static_cast<double>(n - 1);
    const double s = config_.shift;
    sigmas[i] = config_.use_dynamic_shifting ? time_shift(*mu, t) : s * t / (1.0 + (s - 1.0) * t);
  }
  // Scale 1 − σ so that the last sigma lands on shift_terminal. A single step has σ = 1 only, which
  // no scaling can move (diffusers would divide by zero there): it is left as is.
  if (config_.shift_terminal && sigmas.back() < 1.0) {
    const double scale = (1.0 - sigmas.back()) / (1.0 - *config_.shift_terminal);
    for (double& s : sigmas)
      s = 1.0 - (1.0 - s) / scale;
  }
  timesteps_.clear();
  for (const double s : sigmas)
    timesteps_.push_back(s * static_cast<double>(config_.num_train_timesteps));
  sigmas.push_back(0.0);
  sigmas_ = std::move(sigmas);
  step_index_ = 0;
}

void FlowMatchEulerScheduler::require_step(const char* what) const {
  if (timesteps_.empty())
    throw std::logic_error(std::string("FlowMatchEulerScheduler::") + what + " before set_timesteps");
  if (done())
    throw std::logic_error(std::string("FlowMatchEulerScheduler::") + what + " after the last of " +
                           std::to_string(num_inference_steps()) + " steps");
}

double FlowMatchEulerScheduler::current_sigma() const {
  require_step("current_sigma");
  return sigmas_[static_cast<std::size_t>(step_index_)];
}

double FlowMatchEulerScheduler::current_timestep() const {
  require_step("current_timestep");
  return timesteps_[static_cast<std::size_t>(step_index_)];
}

at::Tensor FlowMatchEulerScheduler::step(const at::Tensor& model_output, const at::Tensor& sample) {
  require_step("step");
  const double sigma = sigmas_[static_cast<std::size_t>(step_index_)];
  const double sigma_next = sigmas_[static_cast<std::size_t>(step_index_) + 1];
  // Upcast: in bfloat16 the small dt · v increments would be lost against the sample.
  const at::ScalarType compute = upcast_type(model_output, sample);
  const at::Tensor next = sample.to(compute) + (sigma_next - sigma) * model_output.to(compute);
  ++step_index_;
  return next.to(model_output.scalar_type());
}

at::Tensor FlowMatchEulerScheduler::predicted_x0(const at::Tensor& model_output, const at::Tensor& sample) const {
  const double sigma = current_sigma();
  const at::ScalarType compute = upcast_type(model_output, sample);
  return (sample.to(compute) - sigma * model_output.to(compute)).to(model_output.scalar_type());
}

}  // namespace spstudio::models
