// SPDX-License-Identifier: Apache-2.0
// One pipeline component for `forward`: taken from a pipeline (a diffusers FluxPipeline folder or
// builtin:tiny-flux, through the model cache) or loaded from a single-component folder — a
// config.json naming its class ("_class_name" as diffusers writes it, "architectures" as
// transformers does) next to its safetensors.
#pragma once

#include <string>
#include <vector>

#include "model_cache.h"
#include "models/flux/transformer.h"
#include "models/text/clip_text_model.h"
#include "models/text/t5_encoder.h"
#include "models/vae/autoencoder_kl.h"

namespace spstudio::workers {

enum class Component { Transformer, VaeDecoder, TextEncoder, TextEncoder2 };

/// "transformer", "vae_decoder", "text_encoder", "text_encoder_2"; anything else throws
/// WorkerError(BadArguments) listing these.
Component parse_component(const std::string& name);
const char* component_name(Component component);

/// Exactly one module is set: the one of `component`.
struct LoadedComponent {
  models::flux::FluxTransformer2DModel transformer{nullptr};
  models::AutoencoderKL vae{nullptr};
  models::CLIPTextModel text_encoder{nullptr};
  models::T5EncoderModel text_encoder_2{nullptr};
  /// The cached pipeline's own module: its SP plan is managed by the ModelCache.
  bool from_pipeline = false;
};

/// Throws WorkerError(ModelLoad) naming the folder, the class found and what failed.
LoadedComponent load_component(ModelCache& cache, const std::string& model, Component component);

}  // namespace spstudio::workers
