// SPDX-License-Identifier: Apache-2.0
#include "component_loader.h"

#include <filesystem>

#include "models/config_json.h"
#include "models/layers/default_dtype_guard.h"
#include "models/weights/state_dict_loading.h"
#include "worker_error.h"

namespace spstudio::workers {
namespace {

namespace fs = std::filesystem;

struct ComponentClass {
  Component component;
  const char* name;
  const char* class_name;
};
const ComponentClass kComponents[] = {
    {Component::Transformer, "transformer", "FluxTransformer2DModel"},
    {Component::VaeDecoder, "vae_decoder", "AutoencoderKL"},
    {Component::TextEncoder, "text_encoder", "CLIPTextModel"},
    {Component::TextEncoder2, "text_encoder_2", "T5EncoderModel"},
};

const ComponentClass& entry(Component c) {
  for (const ComponentClass& e : kComponents)
    if (e.component == c) return e;
  throw std::logic_error("unknown component");
}

/// The class a component folder's config.json declares, or "" when it names none.
std::string declared_class(const nlohmann::json& config) {
  if (const auto it = config.find("_class_name"); it != config.end() && it->is_string()) return *it;
  if (const auto it = config.find("architectures");
      it != config.end() && it->is_array() && !it->empty() && it->front().is_string())
    return it->front();
  return "";
}

/// Loads one component folder onto `device` in `dtype` (the worker's --dtype).
LoadedComponent load_component_folder(const fs::path& folder, Component component, c10::Device device,
                                      at::ScalarType dtype) {
  const nlohmann::json config = models::load_json_file(folder / "config.json");
  const std::string found = declared_class(config);
  const ComponentClass& wanted = entry(component);
  if (found != wanted.class_name)
    throw std::runtime_error(
        (folder / "config.json").string() + " declares " +
        (found.empty() ? std::string("no class (\"_class_name\" or \"architectures\")") : "the class " + found) +
        ", but the " + wanted.name + " component is a " + wanted.class_name);
  LoadedComponent c;
  const models::WeightSource weights = models::open_weights(folder);
  const models::DefaultDtypeGuard dtype_guard(dtype);
  switch (component) {
    case Component::Transformer:
      c.transformer = models::flux::FluxTransformer2DModel(models::FluxTransformerConfig::from_json(config));
      models::load_state_dict(*c.transformer, weights);
      c.transformer->to(device, dtype);
      c.transformer->eval();
      break;
    case Component::VaeDecoder: {
      c.vae = models::AutoencoderKL(models::AutoencoderKLConfig::from_json(config));
      models::LoadOptions options;  // the encoder half is in the file but not in this module
      for (const std::string& prefix : models::AutoencoderKLImpl::ignored_key_prefixes())
        options.ignore_unexpected.push_back(prefix + "*");
      models::load_state_dict(*c.vae, weights, options);
      c.vae->to(device, dtype);
      c.vae->eval();
      break;
    }
    case Component::TextEncoder:
      c.text_encoder = models::CLIPTextModel(models::CLIPTextConfig::from_json(config));
      models::load_state_dict(*c.text_encoder, weights, models::CLIPTextModelImpl::load_options());
      c.text_encoder->to(device, dtype);
      c.text_encoder->eval();
      break;
    case Component::TextEncoder2:
      c.text_encoder_2 = models::T5EncoderModel(models::T5Config::from_json(config));
      models::load_state_dict(*c.text_encoder_2, weights, models::T5EncoderModelImpl::load_options());
      c.text_encoder_2->to(device, dtype);
      c.text_encoder_2->eval();
      break;
  }
  return c;
}

}  // namespace

Component parse_component(const std::string& name) {
  for (const ComponentClass& e : kComponents)
    if (name == e.name) return e.component;
  throw WorkerError(wire::ExitCode::BadArguments, "unknown component '" + name +
                                                      "' (components: transformer, vae_decoder, text_encoder, "
                                                      "text_encoder_2)");
}

const char* component_name(Component component) {
  return entry(component).name;
}

LoadedComponent load_component(ModelCache& cache, const std::string& model, Component component) {
  const fs::path folder(model);
  const bool single_component = model.rfind("builtin:", 0) != 0 && fs::is_regular_file(folder / "config.json") &&
                                !fs::exists(folder / "model_index.json");
  if (!single_component) {
    models::flux::FluxPipelineParts& parts = cache.pipeline(model).parts();  // WorkerError(ModelLoad)
    LoadedComponent c;
    c.from_pipeline = true;
    c.transformer = component == Component::Transformer ? parts.transformer : nullptr;
    c.vae = component == Component::VaeDecoder ? parts.vae : nullptr;
    c.text_encoder = component == Component::TextEncoder ? parts.text_encoder : nullptr;
    c.text_encoder_2 = component == Component::TextEncoder2 ? parts.text_encoder_2 : nullptr;
    return c;
  }
  try {
    return load_component_folder(folder, component, cache.device(), cache.dtype());
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::ModelLoad, "cannot load the " + std::string(component_name(component)) +
                                                     " from '" + model + "': " + e.what());
  }
}

}  // namespace spstudio::workers
