// SPDX-License-Identifier: Apache-2.0
// Real spworker pools (label multiprocess) running builtin:tiny-flux jobs at 64×64: the stream of
// every rank, sequence-parallel results equal to one process, cancels agreed by every rank, and
// failed jobs that leave the pool serving.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/latent_preview.h"
#include "common/safetensors_write.h"
#include "stream_checks.h"
#include "support/error_text.h"
#include "worker_driver.h"

namespace spstudio::testing {
namespace {

using namespace std::chrono_literals;

wire::Job tiny_job(std::uint64_t id, int world, std::uint32_t steps = 3) {
  wire::Job job;
  job.job_id = id;
  job.model = "builtin:tiny-flux";
  job.prompt = "a red cube on a table";
  job.height = job.width = 64;
  job.steps = steps;
  job.seed = 7;
  job.ulysses_degree = static_cast<std::uint32_t>(world);
  job.preview_interval = 1;
  job.send_latents = true;
  job.profile = true;
  return job;
}

/// True once every rank sent JobDone for `job_id`.
auto job_done_everywhere(int world, std::uint64_t job_id) {
  return [world, job_id](const std::vector<Received>& received) {
    int done = 0;
    for (const wire::JobDone& d : messages_of<wire::JobDone>(received))
      done += d.job_id == job_id;
    return done == world;
  };
}

template <typename T>
std::vector<T> for_job(const std::vector<T>& messages, std::uint64_t job_id) {
  std::vector<T> out;
  std::copy_if(messages.begin(), messages.end(), std::back_inserter(out),
               [&](const T& m) { return m.job_id == job_id; });
  return out;
}

/// Seeded transformer inputs for tiny-flux at 64×64 (4×4 tokens) with 8 text tokens.
void write_transformer_inputs(const std::string& path, bool with_timestep = true) {
  auto noise = [seed = 12345u](std::size_t n) mutable { return seeded_floats(n, seed++); };
  std::vector<float> img_ids(16 * 3, 0.0f);
  for (int t = 0; t < 16; ++t) {
    img_ids[static_cast<std::size_t>(t * 3 + 1)] = static_cast<float>(t / 4);
    img_ids[static_cast<std::size_t>(t * 3 + 2)] = static_cast<float>(t % 4);
  }
  NamedTensorData tensors = {{"hidden_states", f32_tensor({1, 16, 64}, noise(16 * 64))},
                             {"encoder_hidden_states", f32_tensor({1, 8, 32}, noise(8 * 32))},
                             {"pooled_projections", f32_tensor({1, 32}, noise(32))},
                             {"img_ids", f32_tensor({16, 3}, img_ids)},
                             {"txt_ids", f32_tensor({8, 3}, std::vector<float>(24, 0.0f))},
                             {"guidance", f32_tensor({1}, {3.5f})}};
  if (with_timestep) tensors.push_back({"timestep", f32_tensor({1}, {0.6f})});
  write_safetensors(path, tensors);
}

struct PoolRun {
  std::vector<float> latents;  // rank 0's final latents
  std::vector<float> forward_sample;
};

/// Starts a pool of `world`, runs one tiny-flux job and one transformer forward, checks the stream,
/// and keeps rank 0's results in `run`.
void run_pool(int world, PoolRun& run) {
  SCOPED_TRACE("world " + std::to_string(world));
  WorkerDriver driver;
  driver.spawn_pool(world);
  std::vector<WorkerLink> links;
  const std::vector<wire::Ready> ready = driver.start_pool(world, links);
  for (int r = 0; r < world; ++r) {
    EXPECT_EQ(ready[static_cast<std::size_t>(r)].rank, static_cast<std::uint32_t>(r));
    EXPECT_EQ(ready[static_cast<std::size_t>(r)].backend, world == 1 ? "local" : "gloo");
    EXPECT_EQ(ready[static_cast<std::size_t>(r)].intra_op_threads, 1u);
  }

  const wire::Job job = tiny_job(1, world);
  driver.send_all(links, job);
  std::vector<Received> received;
  driver.collect(links, received, job_done_everywhere(world, 1));
  for (int r = 0; r < world; ++r) {
    SCOPED_TRACE("rank " + std::to_string(r));
    const auto done = messages_of<wire::JobDone>(received, r);
    EXPECT_EQ(messages_of<wire::Error>(received, r).size(), 0u);
    EXPECT_EQ(done.at(0).status, wire::JobStatus::Ok) << done.at(0).summary_json;
    EXPECT_EQ(done.at(0).images_done, 1u);
    EXPECT_EQ(nlohmann::json::parse(done.at(0).summary_json).at("intra_op_threads"), 1);

    const auto steps = messages_of<wire::StepDone>(received, r);
    const auto previews = messages_of<wire::StepPreview>(received, r);
    ASSERT_EQ(steps.size(), 3u);
    ASSERT_EQ(previews.size(), 3u);  // preview_interval 1: one per step
    for (std::uint32_t s = 0; s < 3; ++s) {
      EXPECT_EQ(steps[s].step, s + 1);
      EXPECT_EQ(steps[s].steps, 3u);
      EXPECT_EQ(previews[s].step, s + 1);
      EXPECT_EQ(previews[s].pixel_scale, 8u);
      EXPECT_EQ(previews[s].step_end_ns, steps[s].step_end_ns);  // one clock reading for both
    }
    // StringDef before use; text encoding with step 0, steps and the transformer in steps 1..3.
    const auto names = check_range_names(received, r);
    auto has = [&](int step, const std::string& name) {
      const auto it = names.find(step);
      return it != names.end() && std::count(it->second.begin(), it->second.end(), name) > 0;
    };
    EXPECT_TRUE(has(0, "text_encode"));
    for (int s = 1; s <= 3; ++s) {
      EXPECT_TRUE(has(s, "step")) << "step " << s;
      EXPECT_TRUE(has(s, "transformer")) << "step " << s;
      EXPECT_TRUE(has(s, "preview")) << "step " << s;
    }
    if (r == 0) {
      EXPECT_TRUE(has(-1, "vae_decode"));
    }

    const auto images = messages_of<wire::ImageDone>(received, r);
    ASSERT_EQ(images.size(), 1u);
    const nlohmann::json summary = nlohmann::json::parse(images[0].summary_json);
    EXPECT_EQ(summary.at("seed"), 7);
    EXPECT_EQ(summary.at("step_ms").size(), 3u);
    EXPECT_EQ(summary.at("world"), world);
    EXPECT_EQ(summary.at("device"), "cpu");
    if (r == 0) {
      EXPECT_EQ(images[0].image.width, 64u);
      EXPECT_EQ(images[0].image.height, 64u);
      EXPECT_EQ(images[0].image.rgb.size(), 64u * 64u * 3u);
      const FloatTensor latents = floats_of(images[0].latents);
      EXPECT_EQ(latents.shape, (std::vector<std::int64_t>{1, 16, 8, 8}));
      run.latents = latents.values;
    } else {
      EXPECT_TRUE(images[0].image.rgb.empty());
      EXPECT_TRUE(images[0].latents.bytes.empty());
    }
  }
  // The tiles of every rank cover the 8×8 preview exactly once and equal the preview of rank 0's x0.
  const auto x0s = messages_of<wire::Latent>(received, 0);
  EXPECT_EQ(x0s.size(), 3u);
  EXPECT_TRUE(messages_of<wire::Latent>(received, 1).empty());  // one full x0 is enough
  for (std::uint32_t s = 1; s <= 3; ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    std::vector<wire::StepPreview> of_step;
    for (const auto& p : messages_of<wire::StepPreview>(received))
      if (p.step == s) of_step.push_back(p);
    ASSERT_EQ(of_step.size(), static_cast<std::size_t>(world));
    EXPECT_EQ(of_step[0].full_width, 8u);
    EXPECT_EQ(of_step[0].full_height, 8u);
    const std::vector<std::uint8_t> stitched = stitch_previews(of_step);
    const FloatTensor x0 = floats_of(x0s.at(s - 1).tensor);
    ASSERT_EQ(x0.shape, (std::vector<std::int64_t>{1, 16, 8, 8}));
    EXPECT_EQ(stitched, preview_rgb(flux_preview_table(), x0.values.data(), 8, 8));
  }

  // The transformer alone on the same inputs, under (U = world, R = 1).
  const std::string inputs = driver.folder() + "/inputs.safetensors",
                    outputs = driver.folder() + "/outputs.safetensors";
  write_transformer_inputs(inputs);
  wire::ForwardJob forward;
  forward.job_id = 2;
  forward.model = "builtin:tiny-flux";
  forward.component = "transformer";
  forward.inputs_path = inputs;
  forward.outputs_path = outputs;
  forward.ulysses_degree = static_cast<std::uint32_t>(world);
  driver.send_all(links, forward);
  received.clear();
  driver.collect(links, received, job_done_everywhere(world, 2));
  for (const wire::JobDone& d : messages_of<wire::JobDone>(received)) {
    EXPECT_EQ(d.status, wire::JobStatus::Ok) << d.summary_json;
    const nlohmann::json summary = nlohmann::json::parse(d.summary_json);
    EXPECT_EQ(summary.at("outputs").at("sample"), (std::vector<int>{1, 16, 64}));
    EXPECT_GT(summary.at("forward_ms").get<double>(), 0.0);
  }
  const auto written = read_f32_safetensors(outputs);
  EXPECT_EQ(written.at("sample").shape, (std::vector<std::int64_t>{1, 16, 64}));
  run.forward_sample = written.at("sample").values;

  driver.send_all(links, wire::Bye{0, "test done"});
}

TEST(SpWorker, UlyssesPoolStreamsAndMatchesOneProcess) {
  PoolRun one, two;
  run_pool(1, one);
  if (::testing::Test::HasFatalFailure()) return;
  run_pool(2, two);
  if (::testing::Test::HasFatalFailure()) return;
  // SP_SEMANTICS §6: float32 SP runs equal the single-process run within 1e-4 · max|ref|.
  ASSERT_EQ(one.latents.size(), 16u * 8u * 8u);
  EXPECT_LE(max_abs_difference(two.latents, one.latents), 1e-4 * max_abs(one.latents));
  EXPECT_GT(max_abs(one.latents), 0.0);
  ASSERT_EQ(one.forward_sample.size(), 16u * 64u);
  EXPECT_LE(max_abs_difference(two.forward_sample, one.forward_sample), 1e-4 * max_abs(one.forward_sample));
}

TEST(SpWorker, CancelsAreAgreedByEveryRank) {
  WorkerDriver driver;
  driver.spawn_pool(2);
  std::vector<WorkerLink> links;
  driver.start_pool(2, links);

  // Cancel Now once rank 0 finished step 2 of 20: both ranks stop at the same step boundary.
  wire::Job long_job = tiny_job(10, 2, 20);
  long_job.preview_interval = 0;
  long_job.send_latents = false;
  long_job.profile = false;
  driver.send_all(links, long_job);
  std::vector<Received> received;
  driver.collect(links, received, [](const std::vector<Received>& r) {
    for (const auto& s : messages_of<wire::StepDone>(r, 0))
      if (s.step >= 2) return true;
    return false;
  });
  // Only rank 1 hears of it (the supervisor tells every rank): the ranks must agree to stop anyway.
  driver.send(links[1], wire::Cancel{10, wire::CancelMode::Now});
  driver.collect(links, received, job_done_everywhere(2, 10));
  std::vector<std::uint32_t> last_step;
  for (int r = 0; r < 2; ++r) {
    const auto done = messages_of<wire::JobDone>(received, r);
    EXPECT_EQ(done.at(0).status, wire::JobStatus::Cancelled) << "rank " << r;
    EXPECT_EQ(done.at(0).images_done, 0u);
    const auto steps = messages_of<wire::StepDone>(received, r);
    last_step.push_back(steps.empty() ? 0 : steps.back().step);
    EXPECT_TRUE(messages_of<wire::ImageDone>(received, r).empty());
  }
  EXPECT_EQ(last_step[0], last_step[1]) << "the ranks stopped at different steps";
  EXPECT_GE(last_step[0], 2u);
  EXPECT_LT(last_step[0], 20u);

  // The pool serves the next job; a late Cancel for the old job does not touch it.
  received.clear();
  driver.send_all(links, tiny_job(11, 2));
  driver.send_all(links, wire::Cancel{10, wire::CancelMode::Now});
  driver.collect(links, received, job_done_everywhere(2, 11));
  for (const wire::JobDone& d : messages_of<wire::JobDone>(received)) {
    EXPECT_EQ(d.status, wire::JobStatus::Ok);
    EXPECT_EQ(d.images_done, 1u);
  }

  // AfterImage: the image in progress finishes, the remaining ones are skipped, on both ranks.
  received.clear();
  wire::Job batch = tiny_job(12, 2);
  batch.images = 4;
  batch.preview_interval = 0;
  batch.send_latents = false;
  driver.send_all(links, batch);
  driver.collect(links, received,
                 [](const std::vector<Received>& r) { return !messages_of<wire::ImageDone>(r, 0).empty(); });
  driver.send(links[0], wire::Cancel{12, wire::CancelMode::AfterImage});  // rank 0 only, as above
  driver.collect(links, received, job_done_everywhere(2, 12));
  const auto done = for_job(messages_of<wire::JobDone>(received), 12);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].status, wire::JobStatus::Cancelled);
  EXPECT_EQ(done[1].status, wire::JobStatus::Cancelled);
  EXPECT_EQ(done[0].images_done, done[1].images_done);
  EXPECT_GE(done[0].images_done, 1u);
  EXPECT_LT(done[0].images_done, 4u);
  EXPECT_EQ(messages_of<wire::ImageDone>(received, 0).size(), done[0].images_done);
  for (int r = 0; r < 2; ++r)  // every started image ran to its last step
    for (const auto& s : messages_of<wire::StepDone>(received, r))
      EXPECT_LT(s.image_index, done[0].images_done);
  driver.send_all(links, wire::Bye{0, "test done"});
}

TEST(SpWorker, FailedJobsLeaveThePoolServing) {
  WorkerDriver driver;
  driver.spawn_pool(2);
  std::vector<WorkerLink> links;
  driver.start_pool(2, links);
  auto errors_of_job = [](const std::vector<Received>& received, std::uint64_t job_id) {
    return for_job(messages_of<wire::Error>(received), job_id);
  };
  std::vector<Received> received;

  // Degrees whose product is not the world size.
  wire::Job wrong_degrees = tiny_job(20, 1);
  driver.send_all(links, wrong_degrees);
  driver.collect(links, received, job_done_everywhere(2, 20));
  ASSERT_EQ(errors_of_job(received, 20).size(), 2u);
  for (const wire::Error& e : errors_of_job(received, 20)) {
    EXPECT_EQ(e.code, wire::ExitCode::PlanInvalid);
    EXPECT_CONTAINS(e.message, "must equal the 2 worker process(es)");
  }

  // A plan with an entry that names no module of the model.
  wire::Job bad_plan = tiny_job(21, 2);
  bad_plan.plan_json = R"({"format": "spstudio-plan/1", "model": "FluxTransformer2DModel", "entries": {
      "": {"split": {"hidden_states": {"dim": 1, "expected_dims": 3, "auto_pad": true}}},
      "proj_outt": {"gather": [{"dim": 1, "expected_dims": 3}]}}})";
  driver.send_all(links, bad_plan);
  driver.collect(links, received, job_done_everywhere(2, 21));
  ASSERT_EQ(errors_of_job(received, 21).size(), 2u);
  for (const wire::Error& e : errors_of_job(received, 21)) {
    EXPECT_EQ(e.code, wire::ExitCode::PlanInvalid);
    EXPECT_CONTAINS(e.message, "proj_outt");
  }

  // A forward whose inputs lack a parameter: the error lists what is missing and what is expected.
  const std::string inputs = driver.folder() + "/inputs.safetensors";
  write_transformer_inputs(inputs, /*with_timestep=*/false);
  wire::ForwardJob forward;
  forward.job_id = 22;
  forward.model = "builtin:tiny-flux";
  forward.component = "transformer";
  forward.inputs_path = inputs;
  forward.outputs_path = driver.folder() + "/outputs.safetensors";
  forward.ulysses_degree = 2;
  driver.send_all(links, forward);
  driver.collect(links, received, job_done_everywhere(2, 22));
  ASSERT_EQ(errors_of_job(received, 22).size(), 2u);
  EXPECT_EQ(errors_of_job(received, 22)[0].code, wire::ExitCode::BadArguments);
  EXPECT_CONTAINS(errors_of_job(received, 22)[0].message, "missing timestep");
  EXPECT_CONTAINS(errors_of_job(received, 22)[0].message, "expected hidden_states, encoder_hidden_states");

  for (const wire::JobDone& d : messages_of<wire::JobDone>(received))
    EXPECT_EQ(d.status, wire::JobStatus::Failed) << "job " << d.job_id;

  // Still serving.
  wire::Job good = tiny_job(23, 2);
  good.preview_interval = 0;
  driver.send_all(links, good);
  driver.collect(links, received, job_done_everywhere(2, 23));
  for (const wire::JobDone& d : for_job(messages_of<wire::JobDone>(received), 23))
    EXPECT_EQ(d.status, wire::JobStatus::Ok) << d.summary_json;
  driver.send_all(links, wire::Bye{0, "test done"});
}

}  // namespace
}  // namespace spstudio::testing
