// SPDX-License-Identifier: Apache-2.0
// spstudio-cli generate: one image over U × R worker processes, with progress on stderr.
#include <QElapsedTimer>
#include <cstdio>
#include <limits>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"
#include "app/cli/generate_outputs.h"
#include "app/cli/output_paths.h"
#include "app/cli/plan_check.h"
#include "app/cli/pool_runner.h"

namespace spstudio::cli {
namespace {

constexpr unsigned kGroups =
    kModelOption | kDegreeOptions | kSizeOptions | kPlanOption | kPoolOptions | kQuietOption | kRecordOption;

void add_generate_options(QCommandLineParser& parser) {
  parser.setApplicationDescription("Generates one image, sequence-parallel over U x R worker processes.");
  add_common_options(parser, kGroups);
  parser.addOption({"prompt", "The prompt.", "P"});
  parser.addOption({"negative-prompt", "Negative prompt (used with --true-cfg-scale > 1).", "N"});
  parser.addOption({"steps", "Denoising steps (default 4).", "N"});
  parser.addOption({"seed", "Random seed (default 0).", "S"});
  parser.addOption({"guidance", "Distilled guidance scale (default 3.5).", "G"});
  parser.addOption({"true-cfg-scale", "True classifier-free guidance scale (default 1: off).", "C"});
  parser.addOption({"output", "The PNG to write (default out.png).", "FILE"});
  parser.addOption({"latents-out", "Also write the final latents (safetensors, tensor \"latents\").", "FILE"});
  parser.addOption({"trace-out", "Also write the profiling ranges of every rank (Chrome/Perfetto JSON).", "FILE"});
  parser.addOption({"preview-interval", "Workers send a preview every N steps (default 1; 0: never).", "N"});
}

}  // namespace

int run_generate(const QStringList& arguments) {
  QCommandLineParser parser;
  add_generate_options(parser);
  if (!parse_command_line(parser, arguments, "generate")) return 0;
  const CommonOptions options = read_common_options(parser, kGroups);
  if (!parser.isSet("prompt")) throw CliError("generate: --prompt is required", kUsageExitCode);

  wire::Job job;
  job.model = options.model;
  job.prompt = parser.value("prompt").toStdString();
  job.negative_prompt = parser.value("negative-prompt").toStdString();
  job.height = static_cast<std::uint32_t>(options.height);
  job.width = static_cast<std::uint32_t>(options.width);
  job.steps = static_cast<std::uint32_t>(int_option(parser, "steps", 4, 1, 10000));
  job.seed = static_cast<std::uint64_t>(int_option(parser, "seed", 0, 0, std::numeric_limits<long long>::max()));
  job.guidance = double_option(parser, "guidance", 3.5, 0, 1000);
  job.true_cfg_scale = double_option(parser, "true-cfg-scale", 1.0, 0, 1000);
  job.ulysses_degree = static_cast<std::uint32_t>(options.degrees.ulysses_degree);
  job.ring_degree = static_cast<std::uint32_t>(options.degrees.ring_degree);
  job.preview_interval = static_cast<std::uint32_t>(int_option(parser, "preview-interval", 1, 0, 10000));
  job.profile = true;

  GenerateOutputs outputs;
  outputs.png_path = parser.isSet("output") ? parser.value("output") : QString("out.png");
  outputs.latents_path = parser.value("latents-out");
  outputs.trace_path = parser.value("trace-out");
  check_output_path("output", outputs.png_path);
  if (parser.isSet("latents-out")) check_output_path("latents-out", outputs.latents_path);
  if (parser.isSet("trace-out")) check_output_path("trace-out", outputs.trace_path);

  // A broken plan file is refused here, before any worker process exists.
  std::vector<ValidationIssue> warnings;
  if (!options.plan_path.empty()) job.plan_json = load_checked_plan(options.plan_path, options.degrees, &warnings).json;
  auto progress = [&](const std::string& line) {
    if (!options.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  };
  for (const auto& warning : warnings)
    progress(one_line(warning.to_string()));

  const int world = options.degrees.sp_size();
  QElapsedTimer clock;
  clock.start();
  PoolRunner runner(pool_options(options, world));
  runner.start();
  progress(std::to_string(world) + (world == 1 ? " worker" : " workers") + " ready in " +
           std::to_string(clock.elapsed()) + " ms (" + options.degrees.to_string() + ")");

  JobCallbacks callbacks;
  callbacks.on_step = [&](const wire::StepDone& step) {
    char line[96];
    std::snprintf(line, sizeof(line), "step %u/%u  %.0f ms", step.step, step.steps, step.step_ms);
    progress(line);
  };
  const app::JobResult result = runner.run(job, callbacks);
  const auto written = write_generate_outputs(outputs, job, job.plan_json, result, runner.pool().workers());
  runner.stop();  // the recording is complete once the pool has stopped
  for (const auto& line : written)
    std::printf("%s\n", line.c_str());
  if (!options.record_path.isEmpty())
    std::printf("wrote %s (the workers' messages, to replay)\n", options.record_path.toLocal8Bit().constData());
  return 0;
}

}  // namespace spstudio::cli
