// SPDX-License-Identifier: Apache-2.0
#include "describe.h"

#include "common/manifest.h"
#include "common/plan_json.h"
#include "model_cache.h"
#include "models/flux/pipeline_folder.h"
#include "models/vae/flux_latents.h"
#include "sp/record_shapes.h"
#include "worker_error.h"

namespace spstudio::workers {

std::string describe_model(const std::string& model, int height, int width) {
  std::unique_ptr<models::flux::FluxPipeline> pipeline;
  try {
    pipeline = std::make_unique<models::flux::FluxPipeline>(models::flux::load_flux_pipeline(model));
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::ModelLoad, "cannot load the model '" + model + "': " + e.what());
  }
  models::LatentSize size;
  try {
    size = models::latent_size_for(height, width, pipeline->parts().vae->vae_scale_factor());
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::BadArguments, std::string("--height/--width: ") + e.what());
  }
  auto& transformer = *pipeline->parts().transformer;
  const models::flux::GenerationRequest defaults;
  const models::flux::FluxTransformerInputs example = models::flux::make_flux_inputs(
      transformer.config(), size.height / 2, size.width / 2, defaults.max_sequence_length, 0);
  at::NoGradGuard no_grad;
  ModelManifest manifest = sp::record_manifest(transformer, example.args(), std::make_pair(height, width));
  manifest.shipped_plan = plan_to_json(resolve_plan(""));
  return manifest_to_json(manifest);
}

}  // namespace spstudio::workers
