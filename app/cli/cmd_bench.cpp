// SPDX-License-Identifier: Apache-2.0
// spstudio-cli bench: for each U × R configuration a fresh pool of U·R workers runs W warm-up
// images, then K measured images; the report gives rank 0's step times, images/s, where the step
// time went (attention kernel, all-to-all, ring P2P, other; averaged over ranks), peak memory per
// rank and the preview latency.
#include <QElapsedTimer>
#include <QFile>
#include <cstdio>
#include <functional>
#include <limits>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"
#include "app/cli/output_paths.h"
#include "app/cli/plan_check.h"
#include "app/cli/pool_runner.h"
#include "app/session/job_summaries.h"
#include "common/atomic_file.h"
#include "common/profiling/bench_results.h"

namespace spstudio::cli {
namespace {

constexpr unsigned kGroups = kModelOption | kSizeOptions | kPlanOption | kPoolOptions | kQuietOption | kRecordOption;

/// `record_path`: where this configuration's pool records (empty: nowhere).
bench::ConfigResult measure(const CommonOptions& options, const ParallelConfig& degrees, wire::Job job, int warmup,
                            int repeat, const QString& record_path,
                            const std::function<void(const std::string&)>& progress) {
  job.ulysses_degree = static_cast<std::uint32_t>(degrees.ulysses_degree);
  job.ring_degree = static_cast<std::uint32_t>(degrees.ring_degree);
  const std::string label = bench::config_label(degrees);

  QElapsedTimer clock;
  clock.start();
  app::PoolOptions pool = pool_options(options, degrees.sp_size());
  pool.recording_path = record_path;
  PoolRunner runner(pool);
  runner.start();
  const double startup_ms = static_cast<double>(clock.nsecsElapsed()) / 1e6;
  if (warmup > 0) {
    progress(label + ": " + std::to_string(warmup) + " warm-up image" + (warmup == 1 ? "" : "s"));
    job.images = static_cast<std::uint32_t>(warmup);
    runner.run(job);
  }
  progress(label + ": " + std::to_string(repeat) + " measured image" + (repeat == 1 ? "" : "s"));
  job.images = static_cast<std::uint32_t>(repeat);
  const app::JobResult result = runner.run(job);
  runner.stop();
  return app::bench_config_result(degrees, static_cast<int>(job.steps), result, runner.last_job_ms(), startup_ms, {});
}

}  // namespace

int run_bench(const QStringList& arguments) {
  QCommandLineParser parser;
  parser.setApplicationDescription(
      "Measures each U x R configuration: step time, images/s, time shares, memory.\n"
      "With --record FILE and several configurations, each is recorded to FILE-UxR.ext (e.g. run-2x1.spstream).");
  add_common_options(parser, kGroups);
  parser.addOption({"configs", "Configurations UxR, comma-separated (default 1x1,2x1,1x2,2x2).", "LIST"});
  parser.addOption({"steps", "Denoising steps per image (default 4).", "N"});
  parser.addOption({"repeat", "Measured images per configuration (default 3).", "K"});
  parser.addOption({"warmup", "Warm-up images per configuration, not measured (default 1).", "W"});
  parser.addOption({"prompt", "The prompt (default: a fixed one).", "P"});
  parser.addOption({"seed", "Seed of the first image (default 0).", "S"});
  parser.addOption({"preview-interval", "Workers send a preview every N steps (default 1; 0: never).", "N"});
  parser.addOption({"json", "Also write the results as JSON.", "FILE"});
  if (!parse_command_line(parser, arguments, "bench")) return 0;
  const CommonOptions options = read_common_options(parser, kGroups);
  std::vector<ParallelConfig> configs;
  try {
    configs =
        bench::parse_config_list(parser.isSet("configs") ? parser.value("configs").toStdString() : "1x1,2x1,1x2,2x2");
  } catch (const std::invalid_argument& e) {
    throw CliError(std::string("--configs: ") + e.what(), kUsageExitCode);
  }
  const int steps = static_cast<int>(int_option(parser, "steps", 4, 1, 10000));
  const int repeat = static_cast<int>(int_option(parser, "repeat", 3, 1, 10000));
  const int warmup = static_cast<int>(int_option(parser, "warmup", 1, 0, 10000));
  const QString json_path = parser.value("json");
  if (parser.isSet("json")) check_output_path("json", json_path);

  wire::Job job;
  job.model = options.model;
  job.prompt = parser.isSet("prompt") ? parser.value("prompt").toStdString()
                                      : std::string("a lighthouse on a cliff at sunset, oil painting");
  job.height = static_cast<std::uint32_t>(options.height);
  job.width = static_cast<std::uint32_t>(options.width);
  job.steps = static_cast<std::uint32_t>(steps);
  job.seed = static_cast<std::uint64_t>(int_option(parser, "seed", 0, 0, std::numeric_limits<long long>::max()));
  job.preview_interval = static_cast<std::uint32_t>(int_option(parser, "preview-interval", 1, 0, 10000));
  job.profile = true;
  // Every configuration's plan is checked before the first worker starts.
  if (!options.plan_path.empty())
    for (const auto& degrees : configs)
      job.plan_json = load_checked_plan(options.plan_path, degrees).json;

  auto progress = [&](const std::string& line) {
    if (!options.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  };
  // Every configuration has its own pool, and a recording holds one pool: one file each.
  auto record_path = [&](const ParallelConfig& degrees) {
    if (options.record_path.isEmpty() || configs.size() == 1) return options.record_path;
    return tagged_path(options.record_path, QString("%1x%2").arg(degrees.ulysses_degree).arg(degrees.ring_degree));
  };
  bench::BenchRun run{options.model, options.height, options.width, steps, warmup, repeat, {}};
  for (const auto& degrees : configs)
    run.configs.push_back(measure(options, degrees, job, warmup, repeat, record_path(degrees), progress));

  std::fputs(bench::bench_table(run.configs).c_str(), stdout);
  if (parser.isSet("json")) {
    const std::string text = bench::bench_json(run);
    try {
      write_file_atomically(json_path.toStdString(), text.data(), text.size());
    } catch (const std::exception& e) {
      throw CliError(e.what());
    }
    std::printf("wrote %s\n", json_path.toLocal8Bit().constData());
  }
  if (!options.record_path.isEmpty()) {
    for (const auto& degrees : configs)
      std::printf("wrote %s (the workers' messages, to replay)\n", record_path(degrees).toLocal8Bit().constData());
  }
  return 0;
}

}  // namespace spstudio::cli
