// SPDX-License-Identifier: Apache-2.0
#include "flux_check.h"

#include <chrono>

#include "models/flux/pipeline_folder.h"
#include "models/vae/flux_latents.h"

namespace spstudio::workers {
namespace {

using models::flux::FluxPipeline;

double max_abs(const at::Tensor& t) {
  return t.abs().max().item<double>();
}

models::flux::GenerationRequest request_for(const FluxCheckOptions& o) {
  models::flux::GenerationRequest r;
  r.prompt = "a photo of a cat";
  r.height = o.height;
  r.width = o.width;
  r.steps = o.steps;
  r.seed = o.seed;
  r.max_sequence_length = 16;
  r.decode = false;  // the VAE is not sharded: latents are what SP changes
  return r;
}

/// The work being checked, run on `pipeline` as it is (plain or hooked).
at::Tensor run(FluxPipeline& pipeline, const FluxCheckOptions& o) {
  if (o.generate) return pipeline.generate(request_for(o)).latents;
  const auto& c = pipeline.parts().transformer->config();
  const auto size = models::latent_size_for(o.height, o.width, pipeline.parts().vae->vae_scale_factor());
  models::flux::FluxTransformerInputs in =
      models::flux::make_flux_inputs(c, size.height / 2, size.width / 2, 7, o.seed);
  const at::ScalarType dtype = pipeline.parts().transformer->x_embedder->weight.scalar_type();
  for (at::Tensor* t : {&in.hidden_states, &in.encoder_hidden_states, &in.pooled_projections, &in.guidance})
    if (t->defined()) *t = t->to(dtype);
  at::NoGradGuard no_grad;
  return pipeline.parts().transformer->forward(in);
}

}  // namespace

SpCheckResult run_flux_check(const sp::Rendezvous& rendezvous, const FluxCheckOptions& o) {
  FluxPipeline pipeline = models::flux::make_tiny_flux(o.seed);
  SpCheckResult r;
  auto start = std::chrono::steady_clock::now();
  const at::Tensor reference = run(pipeline, o);
  r.reference_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  r.max_abs_ref = max_abs(reference);

  const auto context = std::make_shared<sp::SpContext>(sp::init_sp_groups_gloo(rendezvous, o.config));
  pipeline.apply_sequence_parallel(context);
  start = std::chrono::steady_clock::now();
  const at::Tensor out = run(pipeline, o);
  r.sp_ms_median = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  r.max_abs_diff = max_abs(out - reference);
  r.output_shape = out.sizes().vec();
  r.strategy = pipeline.parts()
                   .transformer->transformer_blocks[0]
                   ->as<models::flux::FluxTransformerBlockImpl>()
                   ->attn->attention->last_strategy();

  if (context->rank() == 0) {  // the same weights and seed, every component in float64
    models::flux::PipelineLoadOptions f64;
    f64.dtype = at::kDouble;
    FluxPipeline pipeline64 = models::flux::make_tiny_flux(o.seed, f64);
    r.max_abs_diff_f64 = max_abs(out.to(at::kDouble) - run(pipeline64, o).to(at::kDouble));
  }
  context->sp_group().barrier();
  return r;
}

}  // namespace spstudio::workers
