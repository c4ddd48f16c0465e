// SPDX-License-Identifier: Apache-2.0
// Opening a Flux pipeline: a diffusers FluxPipeline folder on disk (model_index.json, transformer/,
// text_encoder/, text_encoder_2/, tokenizer/, tokenizer_2/, vae/, scheduler/), or builtin:tiny-flux
// — FLUX.1-dev's architecture at toy widths, configs from resources/models/tiny-flux and seeded
// weights, made in-process — which save_flux_folder writes out as a real folder.
#pragma once

#include <filesystem>
#include <string>

#include "models/flux/pipeline.h"

namespace spstudio::models::flux {

inline constexpr const char* kTinyFluxModel = "builtin:tiny-flux";

struct PipelineLoadOptions {
  at::ScalarType dtype = at::kFloat;  ///< weights and activations of every component
  at::Device device = at::kCPU;
  std::uint64_t builtin_seed = 0;  ///< weights of builtin: models
};

/// "builtin:tiny-flux" or a folder path. Throws std::runtime_error naming the folder, component and
/// file on anything missing or malformed (with the weights' own WeightsError text).
FluxPipeline load_flux_pipeline(const std::string& model, const PipelineLoadOptions& options = {});

/// builtin:tiny-flux with `seed`'s weights.
FluxPipeline make_tiny_flux(std::uint64_t seed = 0, const PipelineLoadOptions& options = {});

/// Writes builtin:tiny-flux (seed's weights) as a diffusers folder: configs, safetensors (the T5
/// encoder sharded with an index, as FLUX.1's text_encoder_2), and the tokenizer files.
void save_tiny_flux_folder(const std::filesystem::path& folder, std::uint64_t seed = 0);

/// The builtin model names ("builtin:tiny-flux").
std::vector<std::string> builtin_model_names();

}  // namespace spstudio::models::flux
