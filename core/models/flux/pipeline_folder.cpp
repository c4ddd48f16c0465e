// SPDX-License-Identifier: Apache-2.0
#include "models/flux/pipeline_folder.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>

#include "models/config_json.h"
#include "models/layers/default_dtype_guard.h"
#include "models/layers/seeded_init.h"
#include "models/text/tiny_tokenizers.h"
#include "models/weights/safetensors_writer.h"
#include "models/weights/state_dict_loading.h"
#include "models/weights/weight_source.h"

namespace spstudio::models {
namespace detail {
const std::map<std::string, std::string>& embedded_models();  // resources/models/**, generated
}  // namespace detail

namespace flux {
namespace {

namespace fs = std::filesystem;

/// The config files of a pipeline, by component.
struct PipelineConfigs {
  nlohmann::json transformer, text_encoder, text_encoder_2, vae, scheduler;
};

/// resources/models/tiny-flux/<relative path without .json>, exactly as shipped.
const std::string& tiny_flux_file(const std::string& key) {
  const auto& files = detail::embedded_models();
  const auto it = files.find("tiny-flux/" + key);
  if (it == files.end()) throw std::logic_error("builtin:tiny-flux has no embedded " + key + ".json");
  return it->second;
}

const char* const kTinyFluxFiles[] = {"model_index",           "transformer/config", "text_encoder/config",
                                      "text_encoder_2/config", "vae/config",         "scheduler/scheduler_config"};

PipelineConfigs tiny_flux_configs() {
  auto parse = [](const char* key) { return nlohmann::json::parse(tiny_flux_file(key)); };
  return {parse("transformer/config"), parse("text_encoder/config"), parse("text_encoder_2/config"),
          parse("vae/config"), parse("scheduler/scheduler_config")};
}

/// Names the component in config errors ("text_encoder_2/config.json: ...").
template <typename Fn>
auto in_component(const std::string& component, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    throw std::runtime_error(component + ": " + e.what());
  }
}

FluxPipelineParts build_modules(const PipelineConfigs& c, const PipelineLoadOptions& options) {
  if (!at::isFloatingType(options.dtype))
    throw std::invalid_argument("pipeline dtype must be a floating type (float32, bfloat16, float16)");
  DefaultDtypeGuard dtype_guard(options.dtype);
  FluxPipelineParts p;
  p.transformer = in_component("transformer/config.json",
                               [&] { return FluxTransformer2DModel(FluxTransformerConfig::from_json(c.transformer)); });
  p.text_encoder = in_component("text_encoder/config.json",
                                [&] { return CLIPTextModel(CLIPTextConfig::from_json(c.text_encoder)); });
  p.text_encoder_2 =
      in_component("text_encoder_2/config.json", [&] { return T5EncoderModel(T5Config::from_json(c.text_encoder_2)); });
  p.vae = in_component("vae/config.json", [&] { return AutoencoderKL(AutoencoderKLConfig::from_json(c.vae)); });
  p.scheduler =
      in_component("scheduler/scheduler_config.json", [&] { return FlowMatchSchedulerConfig::from_json(c.scheduler); });
  if (p.transformer->config().joint_attention_dim != p.text_encoder_2->config().d_model)
    throw std::runtime_error(
        "transformer joint_attention_dim " + std::to_string(p.transformer->config().joint_attention_dim) +
        " does not match text_encoder_2 d_model " + std::to_string(p.text_encoder_2->config().d_model));
  if (p.transformer->config().pooled_projection_dim != p.text_encoder->config().hidden_size)
    throw std::runtime_error(
        "transformer pooled_projection_dim " + std::to_string(p.transformer->config().pooled_projection_dim) +
        " does not match text_encoder hidden_size " + std::to_string(p.text_encoder->config().hidden_size));
  if (p.transformer->config().in_channels != 4 * p.vae->config().latent_channels)
    throw std::runtime_error("transformer in_channels " + std::to_string(p.transformer->config().in_channels) +
                             " is not 4 x vae latent_channels " + std::to_string(p.vae->config().latent_channels));
  return p;
}

void move_to(FluxPipelineParts& p, const PipelineLoadOptions& o) {
  p.transformer->to(o.device, o.dtype);
  p.text_encoder->to(o.device, o.dtype);
  p.text_encoder_2->to(o.device, o.dtype);
  p.vae->to(o.device, o.dtype);
}

void seed_weights(FluxPipelineParts& p, std::uint64_t seed) {
  init_seeded_weights(*p.transformer, seed * 4 + 0);
  init_seeded_weights(*p.text_encoder, seed * 4 + 1);
  init_seeded_weights(*p.text_encoder_2, seed * 4 + 2);
  init_seeded_weights(*p.vae, seed * 4 + 3);
}

/// A private scratch folder removed when it goes out of scope.
class ScratchFolder {
 public:
  ScratchFolder() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("spstudio-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    fs::create_directories(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void load_component(torch::nn::Module& module, const fs::path& folder, const std::string& component,
                    const LoadOptions& options) {
  const fs::path dir = folder / component;
  try {
    load_state_dict(module, open_weights(dir), options);
  } catch (const std::exception& e) {
    throw std::runtime_error(component + ": " + e.what());
  }
}

LoadOptions vae_load_options() {
  LoadOptions o;
  for (const std::string& prefix : AutoencoderKLImpl::ignored_key_prefixes())
    o.ignore_unexpected.push_back(prefix + "*");
  return o;
}

FluxPipeline load_folder(const fs::path& folder, const PipelineLoadOptions& options) {
  if (!fs::is_directory(folder))
    throw std::runtime_error(folder.string() + ": not a folder (expected a diffusers FluxPipeline folder or " +
                             kTinyFluxModel + ")");
  const nlohmann::json index = load_json_file(folder / "model_index.json");
  ConfigReader(index, (folder / "model_index.json").string()).expect_class("FluxPipeline");
  PipelineConfigs c;
  c.transformer = load_json_file(folder / "transformer" / "config.json");
  c.text_encoder = load_json_file(folder / "text_encoder" / "config.json");
  c.text_encoder_2 = load_json_file(folder / "text_encoder_2" / "config.json");
  c.vae = load_json_file(folder / "vae" / "config.json");
  c.scheduler = load_json_file(folder / "scheduler" / "scheduler_config.json");
  FluxPipelineParts p = build_modules(c, options);

  load_component(*p.transformer, folder, "transformer", {});
  load_component(*p.text_encoder, folder, "text_encoder", CLIPTextModelImpl::load_options());
  load_component(*p.text_encoder_2, folder, "text_encoder_2", T5EncoderModelImpl::load_options());
  load_component(*p.vae, folder, "vae", vae_load_options());
  p.tokenizer = std::make_shared<const CLIPTokenizer>(CLIPTokenizer::from_folder(folder / "tokenizer"));
  p.tokenizer_2 = std::make_shared<const T5Tokenizer>(T5Tokenizer::from_folder(folder / "tokenizer_2"));
  move_to(p, options);
  return FluxPipeline(std::move(p));
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

}  // namespace

std::vector<std::string> builtin_model_names() {
  return {kTinyFluxModel};
}

FluxPipeline make_tiny_flux(std::uint64_t seed, const PipelineLoadOptions& options) {
  // Seeded in float32 whatever the target dtype, so a float64 or bfloat16 copy has the same weights.
  FluxPipelineParts p = build_modules(tiny_flux_configs(), PipelineLoadOptions{});
  seed_weights(p, seed);
  const ScratchFolder scratch;  // the tokenizers read their real file formats
  write_tiny_clip_tokenizer(scratch.path() / "tokenizer");
  write_tiny_t5_tokenizer(scratch.path() / "tokenizer_2");
  p.tokenizer = std::make_shared<const CLIPTokenizer>(CLIPTokenizer::from_folder(scratch.path() / "tokenizer"));
  p.tokenizer_2 = std::make_shared<const T5Tokenizer>(T5Tokenizer::from_folder(scratch.path() / "tokenizer_2"));
  move_to(p, options);
  return FluxPipeline(std::move(p));
}

FluxPipeline load_flux_pipeline(const std::string& model, const PipelineLoadOptions& options) {
  if (model == kTinyFluxModel) return make_tiny_flux(options.builtin_seed, options);
  if (model.rfind("builtin:", 0) == 0)
    throw std::runtime_error("unknown builtin model '" + model + "' (available: " + kTinyFluxModel + ")");
  return load_folder(model, options);
}

void save_tiny_flux_folder(const fs::path& folder, std::uint64_t seed) {
  for (const char* key : kTinyFluxFiles)
    write_text(folder / (std::string(key) + ".json"), tiny_flux_file(key));
  const FluxPipeline pipeline = make_tiny_flux(seed);
  const FluxPipelineParts& p = pipeline.parts();
  save_safetensors(folder / "transformer" / "diffusion_pytorch_model.safetensors", state_dict_of(*p.transformer));
  save_safetensors(folder / "text_encoder" / "model.safetensors", state_dict_of(*p.text_encoder));
  // As transformers saves T5: the tied embedding once (shared.weight), in shards with an index.
  NamedTensors t5;
  std::uint64_t t5_bytes = 0;
  for (auto& [name, tensor] : state_dict_of(*p.text_encoder_2)) {
    if (name == "encoder.embed_tokens.weight") continue;
    t5_bytes += tensor.numel() * tensor.element_size();
    t5.emplace_back(name, tensor);
  }
  save_sharded_safetensors(folder / "text_encoder_2", "model", t5, t5_bytes / 2 + 1);
  save_safetensors(folder / "vae" / "diffusion_pytorch_model.safetensors", state_dict_of(*p.vae));
  write_tiny_clip_tokenizer(folder / "tokenizer");
  write_tiny_t5_tokenizer(folder / "tokenizer_2");
}

}  // namespace flux
}  // namespace spstudio::models
