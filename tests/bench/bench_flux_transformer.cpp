// SPDX-License-Identifier: Apache-2.0
// spstudio-bench-flux: one Flux transformer forward at batch 1, the speed number the GPU issue is
// judged by. Random seeded weights (no checkpoint needed) in the dtype asked for, on the device
// asked for. One model is timed without SP hooks and with plans/flux.json applied at P = 1 (every
// split/gather hook installed, nothing to communicate), alternating in one process so machine noise
// hits both alike. Reports the median step latency, achieved TFLOP/s (models/flux/flops.h), MFU,
// peak memory, the hook overhead, the attention kernel and the LibTorch version: a table and one
// JSON line. It can also write the weights as a diffusers folder, the exact inputs and its output,
// so scripts/gpu/eager_reference.py runs diffusers' own FluxTransformer2DModel on the same numbers.
//
//   spstudio-bench-flux [--config dev|tiny] [--height 1024] [--width 1024] [--text-tokens 512]
//                       [--device cuda|cuda:N|cpu] [--dtype bfloat16|float16|float32]
//                       [--warmup 3] [--iterations 10] [--peak-tflops X] [--seed 0] [--threads T]
//                       [--json FILE] [--save-weights DIR] [--inputs-out FILE] [--output-out FILE]
#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "bench_common.h"
#include "models/flux/flops.h"
#include "models/flux/transformer.h"
#include "models/layers/seeded_init.h"
#include "models/weights/safetensors_writer.h"
#include "sp/apply_plan.h"
#include "sp/attention/sdpa_kernel.h"
#include "sp/profiling/scoped_range.h"
#include "sp/torch_compat.h"

#if SPSTUDIO_HAVE_CUDA_SOURCES
#include <cuda_runtime_api.h>

#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/current_stream.h"
#endif
#if SPSTUDIO_TORCH_CUDA
#include "sp/cuda/torch_cuda_glue.h"
#endif

using namespace spstudio;
using models::FluxTransformerConfig;
using models::flux::FluxTransformer2DModel;
using models::flux::FluxTransformerInputs;

namespace {

// FLUX.1-dev's transformer/config.json (black-forest-labs/FLUX.1-dev), 11.9B parameters.
constexpr const char* kDevConfig = R"({
  "_class_name": "FluxTransformer2DModel", "attention_head_dim": 128, "axes_dims_rope": [16, 56, 56],
  "guidance_embeds": true, "in_channels": 64, "joint_attention_dim": 4096, "num_attention_heads": 24,
  "num_layers": 19, "num_single_layers": 38, "patch_size": 1, "pooled_projection_dim": 768})";
// builtin:tiny-flux's transformer/config.json (resources/models/tiny-flux): runs anywhere in seconds.
constexpr const char* kTinyConfig = R"({
  "_class_name": "FluxTransformer2DModel", "attention_head_dim": 16, "axes_dims_rope": [4, 6, 6],
  "guidance_embeds": true, "in_channels": 64, "joint_attention_dim": 32, "num_attention_heads": 4,
  "num_layers": 2, "num_single_layers": 4, "out_channels": null, "patch_size": 1, "pooled_projection_dim": 32})";

constexpr const char* kUsage =
    "usage: spstudio-bench-flux [--config dev|tiny] [--height 1024] [--width 1024] [--text-tokens 512]\n"
    "         [--device cuda|cuda:N|cpu] [--dtype bfloat16|float16|float32] [--warmup 3] [--iterations 10]\n"
    "         [--peak-tflops X] [--seed 0] [--threads T] [--json FILE] [--save-weights DIR]\n"
    "         [--inputs-out FILE] [--output-out FILE]\n";

struct Options {
  std::string config = "dev";
  std::int64_t height = 1024, width = 1024, text_tokens = 512;
  std::string device = "cuda";
  std::string dtype = "bfloat16";
  int warmup = 3, iterations = 10;
  std::optional<double> peak_tflops;
  std::uint64_t seed = 0;
  int threads = 0;  // 0: LibTorch's default
  std::string json_path, save_weights_dir, inputs_out, output_out;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "spstudio-bench-flux: " << message << "\n" << kUsage;
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) usage_error("unknown option or missing value: " + a);
    const std::string v = argv[++i];
    try {
      if (a == "--config")
        o.config = v;
      else if (a == "--height")
        o.height = std::stoll(v);
      else if (a == "--width")
        o.width = std::stoll(v);
      else if (a == "--text-tokens")
        o.text_tokens = std::stoll(v);
      else if (a == "--device")
        o.device = v;
      else if (a == "--dtype")
        o.dtype = v;
      else if (a == "--warmup")
        o.warmup = std::stoi(v);
      else if (a == "--iterations")
        o.iterations = std::stoi(v);
      else if (a == "--peak-tflops")
        o.peak_tflops = std::stod(v);
      else if (a == "--seed")
        o.seed = std::stoull(v);
      else if (a == "--threads")
        o.threads = std::stoi(v);
      else if (a == "--json")
        o.json_path = v;
      else if (a == "--save-weights")
        o.save_weights_dir = v;
      else if (a == "--inputs-out")
        o.inputs_out = v;
      else if (a == "--output-out")
        o.output_out = v;
      else
        usage_error("unknown option " + a);
    } catch (const std::logic_error&) {  // std::stoi and friends: not a number, or out of range
      usage_error(a + " needs a number, not \"" + v + "\"");
    }
  }
  if (o.config != "dev" && o.config != "tiny") usage_error("--config must be dev or tiny");
  if (o.height <= 0 || o.width <= 0 || o.height % 16 != 0 || o.width % 16 != 0)
    usage_error("--height and --width must be positive multiples of 16 (VAE factor 8 × 2×2 packing)");
  if (o.text_tokens < 1) usage_error("--text-tokens must be at least 1");
  if (o.warmup < 0 || o.iterations < 1) usage_error("--warmup must be >= 0 and --iterations >= 1");
  if (o.peak_tflops && !(*o.peak_tflops > 0)) usage_error("--peak-tflops must be positive");
  return o;
}

at::ScalarType dtype_named(const std::string& name) {
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "float16") return at::kHalf;
  if (name == "float32") return at::kFloat;
  usage_error("--dtype must be bfloat16, float16 or float32");
}

std::string cpu_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) return line.substr(line.find(':') + 2);
  return "cpu";
}

std::string device_name(const at::Device& device) {
  if (!device.is_cuda()) return cpu_name();
#if SPSTUDIO_HAVE_CUDA_SOURCES
  cudaDeviceProp properties{};
  sp::cuda::check_cuda(cudaGetDeviceProperties(&properties, device.index()),
                       "cudaGetDeviceProperties of device " + std::to_string(device.index()));
  return properties.name;
#else
  return "cuda";
#endif
}

/// Dense (no sparsity) 16-bit tensor-core peak by NVIDIA's datasheets; nullopt where unknown or for
/// float32, whose peak depends on whether TF32 is allowed.
std::optional<double> default_peak_tflops(const std::string& name, at::ScalarType dtype) {
  if (dtype == at::kFloat) return std::nullopt;
  const bool h100 = name.find("H100") != std::string::npos, h200 = name.find("H200") != std::string::npos;
  if (h100 && name.find("PCIe") != std::string::npos) return 756.0;
  if ((h100 || h200) && name.find("NVL") != std::string::npos) return 835.5;
  if (h100 || h200) return 989.4;  // SXM
  return std::nullopt;
}

/// Times one call of `fn` in milliseconds: CUDA events around it on LibTorch's current stream on a
/// GPU (so the time is the device's, launch gaps included), the host clock on the CPU.
class StepTimer {
 public:
  explicit StepTimer(const at::Device& device) : device_(device) {
#if SPSTUDIO_HAVE_CUDA_SOURCES
    if (device_.is_cuda()) {
      sp::cuda::check_cuda(cudaSetDevice(device_.index()), "cudaSetDevice for the step timer");
      sp::cuda::check_cuda(cudaEventCreate(&start_), "cudaEventCreate for the step timer");
      sp::cuda::check_cuda(cudaEventCreate(&stop_), "cudaEventCreate for the step timer");
    }
#endif
  }
  ~StepTimer() {
#if SPSTUDIO_HAVE_CUDA_SOURCES
    if (start_ != nullptr) cudaEventDestroy(start_);  // teardown: nothing to report an error to
    if (stop_ != nullptr) cudaEventDestroy(stop_);
#endif
  }
  StepTimer(const StepTimer&) = delete;
  StepTimer& operator=(const StepTimer&) = delete;

  const char* method() const {
    if (!device_.is_cuda()) return "host_clock";
#if SPSTUDIO_HAVE_CUDA_SOURCES
    return "cuda_events";
#else
    return "host_clock_synchronized";
#endif
  }

  double time_ms(const std::function<void()>& fn) {
#if SPSTUDIO_HAVE_CUDA_SOURCES
    if (device_.is_cuda()) {
      const cudaStream_t stream = sp::cuda::current_stream(device_.index());
      sp::cuda::check_cuda(cudaEventRecord(start_, stream), "cudaEventRecord before the forward");
      fn();
      sp::cuda::check_cuda(cudaEventRecord(stop_, stream), "cudaEventRecord after the forward");
      sp::cuda::check_cuda(cudaEventSynchronize(stop_), "cudaEventSynchronize after the forward");
      float ms = 0;
      sp::cuda::check_cuda(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime of the forward");
      return ms;
    }
#endif
    if (device_.is_cuda()) torch::cuda::synchronize(device_.index());
    const auto start = std::chrono::steady_clock::now();
    fn();
    if (device_.is_cuda()) torch::cuda::synchronize(device_.index());
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }

 private:
  at::Device device_;
#if SPSTUDIO_HAVE_CUDA_SOURCES
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
#endif
};

void reset_peak_memory(const at::Device& device) {
#if SPSTUDIO_TORCH_CUDA
  if (device.is_cuda()) sp::cuda::reset_peak_allocated_bytes(device.index());
#else
  (void)device;
#endif
}

/// CUDA: the caching allocator's peak since reset_peak_memory (weights + activations). CPU: the
/// process's peak resident memory (VmHWM), the float32 weights before the cast included.
std::uint64_t peak_memory_bytes(const at::Device& device) {
#if SPSTUDIO_TORCH_CUDA
  if (device.is_cuda()) return sp::cuda::peak_allocated_bytes(device.index());
#endif
  return device.is_cuda() ? 0 : sp::peak_host_memory_bytes();
}

/// The inputs as the forward receives them: the float tensors in the model's dtype, ids, timestep
/// and guidance in float32 (the model casts the scalars itself), all on `device`.
FluxTransformerInputs inputs_on(const FluxTransformerInputs& in, const at::Device& device, at::ScalarType dtype) {
  FluxTransformerInputs out = in;
  out.hidden_states = in.hidden_states.to(device, dtype);
  out.encoder_hidden_states = in.encoder_hidden_states.to(device, dtype);
  out.pooled_projections = in.pooled_projections.to(device, dtype);
  out.timestep = in.timestep.to(device);
  out.img_ids = in.img_ids.to(device);
  out.txt_ids = in.txt_ids.to(device);
  if (in.guidance.defined()) out.guidance = in.guidance.to(device);
  return out;
}

/// diffusers' FluxTransformer2DModel.forward argument names.
models::NamedTensors named_inputs(const FluxTransformerInputs& in) {
  models::NamedTensors named = {{"hidden_states", in.hidden_states},
                                {"encoder_hidden_states", in.encoder_hidden_states},
                                {"pooled_projections", in.pooled_projections},
                                {"timestep", in.timestep},
                                {"img_ids", in.img_ids},
                                {"txt_ids", in.txt_ids}};
  if (in.guidance.defined()) named.emplace_back("guidance", in.guidance);
  return named;
}

/// config.json + diffusion_pytorch_model.safetensors: a folder diffusers' from_pretrained loads.
void save_diffusers_folder(const std::filesystem::path& dir, FluxTransformer2DModel& model) {
  std::filesystem::create_directories(dir);
  std::ofstream config(dir / "config.json");
  config << model->config().to_json().dump(2) << "\n";
  if (!config) throw std::runtime_error("cannot write " + (dir / "config.json").string());
  models::NamedTensors weights;
  for (const auto& p : model->named_parameters())
    weights.emplace_back(p.key(), p.value());
  models::save_safetensors(dir / "diffusion_pytorch_model.safetensors", weights, {{"format", "pt"}});
}

std::string format_bytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

int run(const Options& o) {
  const at::ScalarType dtype = dtype_named(o.dtype);
  const at::Device device(o.device);
  if (device.is_cuda() && !torch::cuda::is_available())
    throw std::runtime_error("--device " + o.device + ": this LibTorch (" + sp::compat::torch_version() +
                             ") has no CUDA, or no GPU is visible");
  if (!device.is_cuda() && !device.is_cpu()) usage_error("--device must be cpu, cuda or cuda:N");
  const at::Device run_device = device.is_cuda() && !device.has_index() ? at::Device(at::kCUDA, 0) : device;
#if SPSTUDIO_TORCH_CUDA
  if (run_device.is_cuda()) {
    sp::cuda::use_device(run_device.index());
    sp::cuda::use_torch_current_stream();  // the step timer's events go on the stream LibTorch runs on
  }
#endif
  if (o.threads > 0) at::set_num_threads(o.threads);
  at::NoGradGuard no_grad;

  const FluxTransformerConfig config =
      FluxTransformerConfig::from_json(nlohmann::json::parse(o.config == "dev" ? kDevConfig : kTinyConfig));
  const std::int64_t grid_h = o.height / 16, grid_w = o.width / 16, image_tokens = grid_h * grid_w;
  const models::flux::FluxFlops flops =
      models::flux::flux_transformer_flop_breakdown(config, image_tokens, o.text_tokens);

  std::fprintf(stderr, "building the %s transformer (seeded float32 weights on the CPU, then %s on %s)...\n",
               o.config.c_str(), o.dtype.c_str(), run_device.str().c_str());
  FluxTransformer2DModel model(config);
  models::init_seeded_weights(*model, o.seed);
  model->to(run_device, dtype);
  const FluxTransformerInputs inputs =
      inputs_on(models::flux::make_flux_inputs(config, grid_h, grid_w, o.text_tokens, o.seed + 1), run_device, dtype);
  if (!o.save_weights_dir.empty()) save_diffusers_folder(o.save_weights_dir, model);
  if (!o.inputs_out.empty()) models::save_safetensors(o.inputs_out, named_inputs(inputs));

  const SequenceParallelPlan plan = models::flux::flux_plan();
  bool hooked = false;
  auto set_hooked = [&](bool on) {
    if (on == hooked) return;
    if (on)
      sp::apply_sequence_parallel(*model, plan, sp::SpContext::single_process());
    else
      sp::remove_sequence_parallel(*model, plan);
    hooked = on;
  };
  at::Tensor plain_out, hooked_out;
  auto forward = [&](bool with_hooks) {
    set_hooked(with_hooks);
    (with_hooks ? hooked_out : plain_out) = model->forward(inputs);
  };

  // Warm-up (allocator, kernel selection, caches), which also gives one output of each.
  for (int i = 0; i < std::max(o.warmup, 1); ++i) {
    forward(false);
    forward(true);
  }
  const double hook_difference = (hooked_out.to(at::kFloat) - plain_out.to(at::kFloat)).abs().max().item<double>();
  const at::Tensor plain_float = plain_out.to(at::kFloat);
  const bool output_finite = plain_float.isfinite().all().item<bool>();
  if (!o.output_out.empty()) models::save_safetensors(o.output_out, {{"output", plain_out}});

  reset_peak_memory(run_device);
  StepTimer timer(run_device);
  std::vector<double> plain_ms, hooked_ms, ratios;
  for (int i = 0; i < o.iterations; ++i) {
    // Alternate the order so neither variant always runs second, on a warmer device; the hooks go
    // on and off between the two (outside the timed region), so one model serves both.
    const bool hooked_first = i % 2 == 1;
    double t_plain = 0, t_hooked = 0;
    for (const bool with_hooks : {hooked_first, !hooked_first}) {
      set_hooked(with_hooks);
      (with_hooks ? t_hooked : t_plain) = timer.time_ms([&] { model->forward(inputs); });
    }
    plain_ms.push_back(t_plain);
    hooked_ms.push_back(t_hooked);
    ratios.push_back(t_hooked / t_plain);
  }
  set_hooked(false);
  const std::uint64_t peak_bytes = peak_memory_bytes(run_device);

  const double plain_median = bench::median(plain_ms), hooked_median = bench::median(hooked_ms);
  const double achieved_tflops = flops.total() / (plain_median * 1e-3) / 1e12;
  const double hooked_tflops = flops.total() / (hooked_median * 1e-3) / 1e12;
  const std::string name = device_name(run_device);
  const std::optional<double> peak = o.peak_tflops ? o.peak_tflops : default_peak_tflops(name, dtype);

  const std::string default_kernel = sp::default_attention_kernel()->name();
  std::string kernel = default_kernel;
  if (default_kernel == "sdpa") {
    const at::Tensor q =
        at::empty({1, image_tokens + o.text_tokens, config.num_attention_heads, config.attention_head_dim},
                  at::TensorOptions().dtype(dtype).device(run_device));
    sp::KernelOptions kernel_options;
    kernel_options.scale = 1.0 / std::sqrt(static_cast<double>(config.attention_head_dim));
    kernel = std::string("sdpa/") + sp::SdpaAttentionKernel::choice(q, q, kernel_options);
  }

  std::int64_t parameters = 0;
  for (const auto& p : model->parameters())
    parameters += p.numel();
  std::printf("Flux transformer (%s config, %.4g M parameters), %lldx%lld px = %lld image + %lld text tokens, %s, %s\n",
              o.config.c_str(), static_cast<double>(parameters) / 1e6, static_cast<long long>(o.height),
              static_cast<long long>(o.width), static_cast<long long>(image_tokens),
              static_cast<long long>(o.text_tokens), o.dtype.c_str(), name.c_str());
  std::printf("LibTorch %s, attention kernel %s, timer %s, %d warm-up + %d interleaved iterations\n",
              sp::compat::torch_version(), kernel.c_str(), timer.method(), o.warmup, o.iterations);
  std::printf("model GFLOP per forward: %.4g (linear %.4g, attention %.4g, per-sample %.3g)\n", flops.total() / 1e9,
              flops.linear / 1e9, flops.attention / 1e9, flops.per_sample / 1e9);
  std::printf("%-10s %11s %11s %10s %10s\n", "variant", "median ms", "p10..p90", "TFLOP/s", "MFU");
  auto row = [&](const char* label, const std::vector<double>& ms, double tflops) {
    char mfu[16] = "-";
    if (peak) std::snprintf(mfu, sizeof mfu, "%.1f%%", 100.0 * tflops / *peak);
    std::printf("%-10s %11.3f %5.1f..%-5.1f %10.4g %10s\n", label, bench::median(ms), bench::percentile(ms, 0.1),
                bench::percentile(ms, 0.9), tflops, mfu);
  };
  row("no hooks", plain_ms, achieved_tflops);
  row("SP P=1", hooked_ms, hooked_tflops);
  std::printf("hook overhead: ratio of medians %.4f, median of per-iteration ratios %.4f; hooked vs plain max |d| %g\n",
              hooked_median / plain_median, bench::median(ratios), hook_difference);
  std::printf("peak memory (%s): %s; output finite: %s\n", run_device.is_cuda() ? "CUDA allocator" : "host RSS",
              format_bytes(peak_bytes).c_str(), output_finite ? "yes" : "NO");

  nlohmann::json j = {{"bench", "flux_transformer"},
                      {"config", o.config},
                      {"height", o.height},
                      {"width", o.width},
                      {"image_tokens", image_tokens},
                      {"text_tokens", o.text_tokens},
                      {"dtype", o.dtype},
                      {"device", run_device.str()},
                      {"device_name", name},
                      {"torch_version", sp::compat::torch_version()},
                      {"attention_kernel", kernel},
                      {"timer", timer.method()},
                      {"warmup", o.warmup},
                      {"iterations", o.iterations},
                      {"flops", flops.total()},
                      {"flops_linear", flops.linear},
                      {"flops_attention", flops.attention},
                      {"plain_ms", plain_median},
                      {"hooked_ms", hooked_median},
                      {"plain_ms_all", plain_ms},
                      {"hooked_ms_all", hooked_ms},
                      {"achieved_tflops", achieved_tflops},
                      {"hooked_tflops", hooked_tflops},
                      {"peak_tflops", peak ? nlohmann::json(*peak) : nlohmann::json()},
                      {"mfu", peak ? nlohmann::json(achieved_tflops / *peak) : nlohmann::json()},
                      {"hook_ratio_of_medians", hooked_median / plain_median},
                      {"hook_ratio_median", bench::median(ratios)},
                      {"hooked_vs_plain_max_abs", hook_difference},
                      {"output_finite", output_finite},
                      {"peak_memory_bytes", peak_bytes},
                      {"peak_memory_kind", run_device.is_cuda() ? "cuda_allocated" : "host_rss"}};
  const std::string line = j.dump();
  std::printf("%s\n", line.c_str());
  if (!o.json_path.empty()) {
    std::ofstream file(o.json_path);
    file << line << "\n";
    if (!file) throw std::runtime_error("cannot write " + o.json_path);
  }
  // On the CPU the hooked model must compute exactly what the plain one does (P = 1 pads and splits
  // nothing). GPU kernels may pick different algorithms between calls, so there it is only reported.
  if (!output_finite) {
    std::cerr << "spstudio-bench-flux: the output has NaN or Inf values\n";
    return 1;
  }
  if (!run_device.is_cuda() && hook_difference != 0) {
    std::cerr << "spstudio-bench-flux: the hooked model computed something else (max |d| " << hook_difference << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "spstudio-bench-flux: " << e.what() << "\n";
    return 1;
  }
}
