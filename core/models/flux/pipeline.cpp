// SPDX-License-Identifier: Apache-2.0
#include "models/flux/pipeline.h"

#include <chrono>
#include <optional>

#include "common/profiling/range_names.h"
#include "models/vae/flux_latents.h"
#include "sp/apply_plan.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::models::flux {
namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

at::Tensor ids_tensor(const std::vector<std::int64_t>& ids) {
  return at::tensor(ids, at::TensorOptions().dtype(at::kLong)).unsqueeze(0);
}

}  // namespace

FluxPipeline::FluxPipeline(FluxPipelineParts parts) : parts_(std::move(parts)) {
  if (!parts_.transformer || !parts_.text_encoder || !parts_.text_encoder_2 || !parts_.tokenizer ||
      !parts_.tokenizer_2 || !parts_.vae)
    throw std::invalid_argument("FluxPipeline: every component is required");
  for (torch::nn::Module* m : {static_cast<torch::nn::Module*>(parts_.transformer.get()),
                               static_cast<torch::nn::Module*>(parts_.text_encoder.get()),
                               static_cast<torch::nn::Module*>(parts_.text_encoder_2.get()),
                               static_cast<torch::nn::Module*>(parts_.vae.get())})
    m->eval();
}

PromptEmbeddings FluxPipeline::encode_prompt(const std::string& prompt, std::int64_t max_sequence_length) {
  const sp::ScopedRange range(range_names::kTextEncode);
  at::NoGradGuard no_grad;
  const at::Tensor clip_ids = ids_tensor(parts_.tokenizer->encode(prompt, 77));
  const at::Tensor t5_ids = ids_tensor(parts_.tokenizer_2->encode(prompt, max_sequence_length));
  PromptEmbeddings e;
  e.pooled = parts_.text_encoder->forward(clip_ids).pooler_output;
  e.prompt_embeds = parts_.text_encoder_2->forward(t5_ids);
  return e;
}

void FluxPipeline::apply_sequence_parallel(sp::SpContextPtr context, const SequenceParallelPlan& plan) {
  sp::apply_sequence_parallel(*parts_.transformer, plan, context);
  sp_context_ = std::move(context);
}

GenerationResult FluxPipeline::generate(const GenerationRequest& r, const StepCallback& on_step) {
  at::NoGradGuard no_grad;
  if (r.steps < 1) throw std::invalid_argument("steps must be at least 1 (got " + std::to_string(r.steps) + ")");
  const FluxTransformerConfig& tc = parts_.transformer->config();
  const LatentSize size = latent_size_for(r.height, r.width, parts_.vae->vae_scale_factor());
  const std::int64_t grid_h = size.height / 2, grid_w = size.width / 2, tokens = grid_h * grid_w;
  const at::TensorOptions options = parts_.transformer->x_embedder->weight.options();

  GenerationResult result;
  auto start = std::chrono::steady_clock::now();
  const PromptEmbeddings positive = encode_prompt(r.prompt, r.max_sequence_length);
  const bool true_cfg = r.true_cfg_scale > 1.0 && !r.negative_prompt.empty();
  const PromptEmbeddings negative =
      true_cfg ? encode_prompt(r.negative_prompt, r.max_sequence_length) : PromptEmbeddings{};
  result.encode_ms = ms_since(start);

  const std::int64_t channels = tc.in_channels / 4;
  at::Tensor latents = pack_latents(initial_noise(1, channels, size.height, size.width, r.seed)).to(options);
  FluxTransformerInputs in;
  in.img_ids = latent_image_ids(grid_h, grid_w).to(options.device());
  in.txt_ids = at::zeros({positive.prompt_embeds.size(1), 3}, in.img_ids.options());
  if (tc.guidance_embeds) in.guidance = at::full({1}, r.guidance_scale, options);

  FlowMatchEulerScheduler scheduler(parts_.scheduler);
  scheduler.set_timesteps(r.steps, scheduler.mu_for(tokens));

  const int world = sp_context_ ? sp_context_->world_size() : 1, rank = sp_context_ ? sp_context_->rank() : 0;
  const std::int64_t per_rank = (tokens + world - 1) / world;  // auto_pad's shard length
  const std::int64_t shard_begin = std::min<std::int64_t>(rank * per_rank, tokens);
  const std::int64_t shard_end = std::min<std::int64_t>(shard_begin + per_rank, tokens);

  auto predict = [&](const PromptEmbeddings& prompt) {
    in.hidden_states = latents;
    in.encoder_hidden_states = prompt.prompt_embeds.to(options);
    in.pooled_projections = prompt.pooled.to(options);
    return parts_.transformer->forward(in);
  };
  for (std::int64_t i = 0; i < r.steps; ++i) {
    start = std::chrono::steady_clock::now();
    std::optional<sp::ScopedRange> step_range(std::in_place, range_names::kStep);
    const double sigma = scheduler.current_sigma(), timestep = scheduler.current_timestep();
    in.timestep = at::full({1}, timestep / 1000.0, options);
    at::Tensor velocity = predict(positive);
    if (true_cfg) {
      const at::Tensor unconditional = predict(negative);
      velocity = unconditional + r.true_cfg_scale * (velocity - unconditional);
    }
    const at::Tensor x0 = on_step ? scheduler.predicted_x0(velocity, latents) : at::Tensor();
    latents = scheduler.step(velocity, latents);
    result.step_ms.push_back(ms_since(start));
    step_range.reset();  // closed before on_step, so a worker draining the recorder there gets it
    if (on_step) {
      StepEvent e{i + 1, r.steps, timestep, sigma, x0, grid_h, grid_w, shard_begin, shard_end, result.step_ms.back()};
      if (!on_step(e)) throw GenerationCancelled("generation cancelled after step " + std::to_string(i + 1));
    }
  }

  result.latents = unpack_latents(latents, size.height, size.width).to(at::kFloat).cpu();
  if (r.decode) {
    start = std::chrono::steady_clock::now();
    const sp::ScopedRange range(range_names::kVaeDecode);
    const at::Tensor images = parts_.vae->decode(unpack_latents(latents, size.height, size.width));
    result.image = to_image_u8(images.select(0, 0));
    result.decode_ms = ms_since(start);
  }
  return result;
}

}  // namespace spstudio::models::flux
