// SPDX-License-Identifier: Apache-2.0
// spstudio-cli forward: one component (transformer, vae_decoder, text_encoder, text_encoder_2) on
// the named tensors of a safetensors file, under any U × R; rank 0 writes the outputs.
#include <QFileInfo>
#include <cstdio>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"
#include "app/cli/output_paths.h"
#include "app/cli/plan_check.h"
#include "app/cli/pool_runner.h"
#include "app/session/job_summaries.h"

namespace spstudio::cli {
namespace {

const QStringList kComponents = {"transformer", "vae_decoder", "text_encoder", "text_encoder_2"};

std::string shape_text(const nlohmann::json& shape) {
  if (!shape.is_array()) return shape.dump();
  std::string text;
  for (const auto& d : shape)
    text += (text.empty() ? "" : ", ") + d.dump();
  return "[" + text + "]";
}

}  // namespace

int run_forward(const QStringList& arguments) {
  constexpr unsigned kGroups = kModelOption | kDegreeOptions | kPlanOption | kPoolOptions | kQuietOption;
  QCommandLineParser parser;
  parser.setApplicationDescription("Runs one component on named inputs and writes its outputs (safetensors).");
  add_common_options(parser, kGroups);
  parser.addOption({"component", "transformer, vae_decoder, text_encoder or text_encoder_2.", "NAME"});
  parser.addOption({"inputs", "Input tensors by forward parameter name (safetensors).", "FILE"});
  parser.addOption({"output", "Where rank 0 writes the outputs (safetensors).", "FILE"});
  if (!parse_command_line(parser, arguments, "forward")) return 0;
  const CommonOptions options = read_common_options(parser, kGroups);
  const QString component = parser.value("component");
  if (!kComponents.contains(component))
    throw CliError("--component must be one of " + kComponents.join(", ") +
                       (component.isEmpty() ? QString(" (it is required)") : ", not \"" + component + "\""),
                   kUsageExitCode);
  check_input_path("inputs", parser.value("inputs"));
  check_output_path("output", parser.value("output"));

  wire::ForwardJob job;
  job.model = options.model;
  job.component = component.toStdString();
  // The workers may run in another directory: they get absolute paths.
  job.inputs_path = QFileInfo(parser.value("inputs")).absoluteFilePath().toStdString();
  job.outputs_path = QFileInfo(parser.value("output")).absoluteFilePath().toStdString();
  job.ulysses_degree = static_cast<std::uint32_t>(options.degrees.ulysses_degree);
  job.ring_degree = static_cast<std::uint32_t>(options.degrees.ring_degree);
  if (!options.plan_path.empty()) job.plan_json = load_checked_plan(options.plan_path, options.degrees).json;

  PoolRunner runner(pool_options(options, options.degrees.sp_size()));
  runner.start();
  const app::JobResult result = runner.run(job);
  runner.stop();
  if (!QFileInfo(QString::fromStdString(job.outputs_path)).isFile())
    throw CliError("the forward run finished but rank 0 did not write " + job.outputs_path);

  const auto summary =
      result.rank_summaries.isEmpty() ? nlohmann::json::object() : app::parse_summary(result.rank_summaries.first());
  std::printf("wrote %s", parser.value("output").toLocal8Bit().constData());
  if (const auto ms = app::number_field(summary, "forward_ms", -1); ms >= 0) std::printf(" (forward %.1f ms)", ms);
  std::printf("\n");
  if (const auto it = summary.find("outputs"); it != summary.end() && it->is_object())
    for (const auto& [name, shape] : it->items())
      std::printf("  %s %s\n", name.c_str(), shape_text(shape).c_str());
  return 0;
}

}  // namespace spstudio::cli
