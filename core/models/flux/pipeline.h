// SPDX-License-Identifier: Apache-2.0
// The Flux.1 text-to-image pipeline (diffusers' FluxPipeline): CLIP pooled + T5 sequence prompt
// embeddings → seeded noise → flow-matching Euler steps of the transformer → VAE decode. It runs
// in one process, or sequence-parallel inside a worker once apply_sequence_parallel has hooked the
// transformer: every rank encodes the prompt and steps the scheduler on identical, replicated
// tensors, and only the transformer's image tokens are sharded (gathered after proj_out).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/plan.h"
#include "models/flux/transformer.h"
#include "models/text/clip_text_model.h"
#include "models/text/clip_tokenizer.h"
#include "models/text/t5_encoder.h"
#include "models/text/t5_tokenizer.h"
#include "models/vae/autoencoder_kl.h"
#include "models/vae/flow_match_scheduler.h"
#include "sp/sp_context.h"

namespace spstudio::models::flux {

struct GenerationRequest {
  std::string prompt;
  /// Used only with true_cfg_scale > 1 (FLUX.1 is guidance-distilled: no negative prompt by default).
  std::string negative_prompt;
  std::int64_t height = 256, width = 256;
  std::int64_t steps = 4;
  double guidance_scale = 3.5;  ///< the distilled guidance input (models with guidance_embeds)
  double true_cfg_scale = 1.0;  ///< > 1 with a negative prompt: two transformer passes per step
  std::uint64_t seed = 0;
  std::int64_t max_sequence_length = 512;  ///< T5 tokens
  bool decode = true;                      ///< run the VAE (a worker may leave it to one rank)
};

struct PromptEmbeddings {
  at::Tensor prompt_embeds;  ///< T5 last hidden state [1, max_sequence_length, joint_attention_dim]
  at::Tensor pooled;         ///< CLIP pooled output [1, pooled_projection_dim]
};

/// What a step callback sees after each denoising step.
struct StepEvent {
  std::int64_t step = 0, steps = 0;  ///< 1-based step that just finished, of steps
  double timestep = 0, sigma = 0;    ///< of that step
  /// The clean latents the step predicted (x0 = x − σ·v), packed tokens [1, S, 4·C]. Complete on
  /// every rank (the transformer output is gathered).
  at::Tensor x0_tokens;
  std::int64_t grid_h = 0, grid_w = 0;          ///< token grid (S = grid_h · grid_w)
  std::int64_t shard_begin = 0, shard_end = 0;  ///< the tokens this rank computed
  double step_ms = 0;                           ///< wall time of the step on this rank
};
/// Return false to stop the generation (generate throws GenerationCancelled).
using StepCallback = std::function<bool(const StepEvent&)>;

struct GenerationCancelled : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct GenerationResult {
  at::Tensor latents;  ///< final diffusion-space latents [1, C, h, w], float32 on the CPU
  at::Tensor image;    ///< uint8 [H, W, 3] on the CPU; undefined when request.decode is false
  std::vector<double> step_ms;
  double encode_ms = 0, decode_ms = 0;
};

struct FluxPipelineParts {
  FluxTransformer2DModel transformer{nullptr};
  CLIPTextModel text_encoder{nullptr};
  T5EncoderModel text_encoder_2{nullptr};
  std::shared_ptr<const CLIPTokenizer> tokenizer;
  std::shared_ptr<const T5Tokenizer> tokenizer_2;
  AutoencoderKL vae{nullptr};
  FlowMatchSchedulerConfig scheduler;
};

class FluxPipeline {
 public:
  explicit FluxPipeline(FluxPipelineParts parts);

  PromptEmbeddings encode_prompt(const std::string& prompt, std::int64_t max_sequence_length);
  GenerationResult generate(const GenerationRequest& request, const StepCallback& on_step = {});

  /// Hooks the transformer with `plan` (plans/flux.json by default) on `context`'s groups.
  void apply_sequence_parallel(sp::SpContextPtr context, const SequenceParallelPlan& plan = flux_plan());

  FluxPipelineParts& parts() { return parts_; }
  const FluxPipelineParts& parts() const { return parts_; }
  /// The image size multiple the VAE and 2×2 packing require (16 for Flux).
  std::int64_t size_multiple() const { return 2 * parts_.vae->vae_scale_factor(); }

 private:
  FluxPipelineParts parts_;
  sp::SpContextPtr sp_context_;
};

}  // namespace spstudio::models::flux
