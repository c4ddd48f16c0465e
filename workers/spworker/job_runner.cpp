// SPDX-License-Identifier: Apache-2.0
#include "job_runner.h"

#include "agreement.h"
#include "common/plan_json.h"
#include "models/vae/flux_latents.h"
#include "sp/profiling/scoped_range.h"
#include "step_stream.h"

namespace spstudio::workers {
namespace {

using models::flux::FluxPipeline;
using models::flux::GenerationRequest;
using models::flux::GenerationResult;
using models::flux::StepEvent;

GenerationRequest request_for(const wire::Job& job, std::uint32_t image_index, bool decode) {
  GenerationRequest r;
  r.prompt = job.prompt;
  r.negative_prompt = job.negative_prompt;
  r.height = job.height;
  r.width = job.width;
  r.steps = job.steps;
  r.guidance_scale = job.guidance;
  r.true_cfg_scale = job.true_cfg_scale;
  r.seed = job.seed + image_index;
  r.decode = decode;  // the VAE is not sharded: rank 0 decodes, the others go on
  return r;
}

/// Deterministic checks every rank makes alike before anything runs.
void check_request(const wire::Job& job, const FluxPipeline& pipeline) {
  if (job.steps < 1) throw std::invalid_argument("a job needs at least 1 step (got 0)");
  models::latent_size_for(job.height, job.width, pipeline.parts().vae->vae_scale_factor());  // throws
}

nlohmann::json image_summary(const WorkerContext& w, const wire::Job& job, const SequenceParallelPlan& plan,
                             std::uint64_t seed, const GenerationResult& result) {
  nlohmann::json s = w.job_summary();
  s.erase("intra_op_threads");
  s["seed"] = seed;
  s["encode_ms"] = result.encode_ms;
  s["decode_ms"] = result.decode_ms;
  s["step_ms"] = result.step_ms;
  s["world"] = w.groups.world();
  s["ulysses_degree"] = job.ulysses_degree;
  s["ring_degree"] = job.ring_degree;
  s["plan"] = nlohmann::json::parse(plan_to_json(plan));  // the plan applied, shipped or the job's
  return s;
}

/// Recording is on for the job's lifetime only.
class RecordingScope {
 public:
  explicit RecordingScope(bool enabled) {
    sp::RangeRecorder::instance().clear();
    sp::RangeRecorder::instance().set_enabled(enabled);
  }
  ~RecordingScope() {
    sp::RangeRecorder::instance().set_enabled(false);
    sp::RangeRecorder::instance().clear();
  }
  RecordingScope(const RecordingScope&) = delete;
  RecordingScope& operator=(const RecordingScope&) = delete;
};

}  // namespace

void run_job(WorkerContext& w, const wire::Job& job) {
  const RecordingScope recording(job.profile);
  FluxPipeline* pipeline = nullptr;
  SequenceParallelPlan plan;
  const ParallelConfig config{static_cast<int>(job.ulysses_degree), static_cast<int>(job.ring_degree)};
  const bool prepared = prepare_on_every_rank(w, job.job_id, [&] {
    const sp::SpContextPtr context = w.groups.context(config);
    plan = resolve_plan(job.plan_json);
    pipeline = &w.models.pipeline(job.model);
    check_request(job, *pipeline);
    w.models.use_plan(plan, context);
  });
  if (!prepared) {
    w.control.forget_cancels_up_to(job.job_id);
    return;
  }

  const auto pixel_scale = static_cast<std::uint32_t>(pipeline->parts().vae->vae_scale_factor());
  sp::Communicator& control = w.groups.control();
  auto agreed_cancel = [&] { return agree_cancel(control, w.control.cancel_level(job.job_id)); };
  std::uint32_t images_done = 0;
  bool cancelled = false;
  try {
    for (std::uint32_t i = 0; i < job.images && !cancelled; ++i) {
      if (agreed_cancel() != CancelLevel::None) {  // a cancel that came while the last image decoded
        cancelled = true;
        break;
      }
      const StreamTarget target{&w.connection, w.rank, job.job_id, i};
      bool stop_after_image = false;
      auto on_step = [&](const StepEvent& e) {
        const std::int64_t end_ns = sp::steady_now_ns();
        const std::int64_t begin_ns = end_ns - static_cast<std::int64_t>(e.step_ms * 1e6);
        const auto step = static_cast<std::uint32_t>(e.step);
        if (job.preview_interval > 0 && step % job.preview_interval == 0) {
          if (auto preview = make_step_preview(e, pixel_scale)) {
            preview->job_id = job.job_id;
            preview->image_index = i;
            preview->rank = w.rank;
            preview->step_end_ns = end_ns;
            w.connection.send(std::move(*preview));
          }
          if (job.send_latents && w.rank == 0)  // x0 is complete on every rank: one copy is enough
            w.connection.send(wire::Latent{job.job_id, i, w.rank, step, "x0", x0_latents(e)});
        }
        if (job.profile) send_ranges(target, static_cast<std::int32_t>(step), begin_ns, end_ns);
        w.connection.send(wire::StepDone{job.job_id, i, w.rank, step, static_cast<std::uint32_t>(e.steps), e.step_ms,
                                         e.timestep, e.sigma, end_ns});
        const CancelLevel agreed = agreed_cancel();  // every rank takes the same decision here
        if (agreed == CancelLevel::AfterImage) stop_after_image = true;
        return agreed != CancelLevel::Now;
      };
      GenerationResult result;
      try {
        result = pipeline->generate(request_for(job, i, w.rank == 0), on_step);
      } catch (const models::flux::GenerationCancelled&) {
        cancelled = true;
        break;
      }
      if (job.profile) send_ranges(target, -1);  // after the last step: the VAE decode
      wire::ImageDone done;
      done.job_id = job.job_id;
      done.image_index = i;
      done.rank = w.rank;
      done.seed = job.seed + i;
      if (w.rank == 0) {
        done.image = to_rgb_image(result.image);
        done.latents = to_tensor_data(result.latents);
      }
      done.summary_json = image_summary(w, job, plan, done.seed, result).dump();
      w.connection.send(std::move(done));
      ++images_done;
      cancelled = stop_after_image && i + 1 < job.images;  // nothing skipped: the job simply finished
    }
  } catch (...) {
    w.control.forget_cancels_up_to(job.job_id);
    fail_running_job(w, job.job_id, images_done, std::current_exception());
    return;
  }
  w.control.forget_cancels_up_to(job.job_id);
  w.send_job_done(job.job_id, cancelled ? wire::JobStatus::Cancelled : wire::JobStatus::Ok, images_done,
                  w.job_summary());
}

}  // namespace spstudio::workers
