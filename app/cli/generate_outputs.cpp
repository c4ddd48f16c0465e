// SPDX-License-Identifier: Apache-2.0
#include "app/cli/generate_outputs.h"

#include <set>

#include "app/cli/cli_options.h"
#include "app/png/png_metadata.h"
#include "app/session/job_summaries.h"
#include "common/atomic_file.h"
#include "common/profiling/timeline.h"
#include "common/safetensors_write.h"

namespace spstudio::cli {
namespace {

/// The plan the image records: the one sent, else the one the worker says it used.
std::string recorded_plan(const std::string& plan_json, const nlohmann::json& image_summary) {
  if (!plan_json.empty()) return plan_json;
  const auto it = image_summary.find("plan");
  if (it == image_summary.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

png::GenerationMetadata metadata_of(const wire::Job& job, const std::string& plan_json, const wire::ImageDone& image,
                                    const app::JobResult& result, const QVector<app::WorkerInfo>& workers) {
  const auto summary = app::parse_summary(image.summary_json);
  png::GenerationMetadata m;
  m.model = job.model;
  m.prompt = job.prompt;
  m.negative_prompt = job.negative_prompt;
  m.seed = image.seed;
  m.steps = job.steps;
  m.guidance = job.guidance;
  m.cfg_scale = job.true_cfg_scale;
  m.height = job.height;
  m.width = job.width;
  m.plan_json = recorded_plan(plan_json, summary);
  m.ulysses_degree = static_cast<int>(job.ulysses_degree);
  m.ring_degree = static_cast<int>(job.ring_degree);
  m.world_size = m.ulysses_degree * m.ring_degree;
  m.devices = app::rank_devices(result, workers);
  if (!workers.isEmpty()) m.backend = workers.front().backend.toStdString();
  if (const auto it = summary.find("step_ms"); it != summary.end() && it->is_array()) {
    for (const auto& value : *it)
      if (value.is_number()) m.step_ms.push_back(value.get<double>());
  } else {
    for (const auto& step : result.steps)
      if (step.rank == 0 && step.image_index == image.image_index) m.step_ms.push_back(step.step_ms);
  }
  m.encode_ms = app::number_field(summary, "encode_ms");
  m.decode_ms = app::number_field(summary, "decode_ms");
  return m;
}

}  // namespace

std::vector<std::string> write_generate_outputs(const GenerateOutputs& outputs, const wire::Job& job,
                                                const std::string& plan_json, const app::JobResult& result,
                                                const QVector<app::WorkerInfo>& workers) {
  if (result.images.isEmpty()) throw CliError("the generation finished without an image from rank 0");
  const wire::ImageDone& image = result.images.first();
  std::vector<std::string> written;
  const std::string png_path = outputs.png_path.toStdString();
  if (image.image.width == 0 || image.image.height == 0)
    throw CliError("rank 0 sent an empty image; nothing to write to " + png_path);
  try {
    png::write_generation_png(png_path, image.image.width, image.image.height, image.image.rgb,
                              metadata_of(job, plan_json, image, result, workers));
  } catch (const std::exception& e) {
    throw CliError(e.what());
  }
  written.push_back("wrote " + png_path + " (" + std::to_string(image.image.width) + "x" +
                    std::to_string(image.image.height) + ")");

  if (!outputs.latents_path.isEmpty()) {
    const std::string path = outputs.latents_path.toStdString();
    if (image.latents.bytes.empty()) throw CliError("rank 0 sent no latents; nothing to write to " + path);
    try {
      write_safetensors(
          path, {{"latents", image.latents}},
          {{"model", job.model}, {"seed", std::to_string(image.seed)}, {"steps", std::to_string(job.steps)}});
    } catch (const std::exception& e) {
      throw CliError(e.what());
    }
    std::string shape;
    for (const auto d : image.latents.shape)
      shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    written.push_back("wrote " + path + " (latents " + image.latents.dtype + " [" + shape + "])");
  }

  if (!outputs.trace_path.isEmpty()) {
    const std::string path = outputs.trace_path.toStdString();
    try {
      const std::string trace = profiling::chrome_trace_json(result.ranges);
      write_file_atomically(path, trace.data(), trace.size());
    } catch (const std::exception& e) {
      throw CliError(e.what());
    }
    std::set<int> ranks;
    for (const auto& range : result.ranges)
      ranks.insert(range.rank);
    written.push_back("wrote " + path + " (" + std::to_string(result.ranges.size()) + " ranges from " +
                      std::to_string(ranks.size()) + " rank" + (ranks.size() == 1 ? "" : "s") + ")");
  }
  return written;
}

}  // namespace spstudio::cli
