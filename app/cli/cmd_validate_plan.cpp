// SPDX-License-Identifier: Apache-2.0
// spstudio-cli validate-plan: every problem of a plan file for a model, degrees and size — parse
// errors with their entry keys, then static validation against the model manifest with shapes.
#include <cstdio>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"
#include "app/cli/output_paths.h"
#include "app/cli/plan_check.h"
#include "app/cli/worker_describe.h"
#include "common/manifest.h"

namespace spstudio::cli {

int run_validate_plan(const QStringList& arguments) {
  constexpr unsigned kGroups = kModelOption | kDegreeOptions | kSizeOptions | kPlanOption | kPoolOptions;
  QCommandLineParser parser;
  parser.setApplicationDescription(
      "Checks a plan file against a model at U x R and H x W; prints every issue. Exit 1 when there are errors.");
  add_common_options(parser, kGroups);
  if (!parse_command_line(parser, arguments, "validate-plan")) return 0;
  const CommonOptions options = read_common_options(parser, kGroups);
  check_input_path("plan", QString::fromStdString(options.plan_path));

  // Parse first: a plan that does not parse needs no manifest to be refused.
  LoadedPlan plan;
  auto issues = check_plan_file(options.plan_path, options.degrees, nullptr, &plan);
  bool parsed = !plan.json.empty();
  if (parsed) {
    ModelManifest manifest;
    try {
      manifest = manifest_from_json(describe_model(options, options.height, options.width));
    } catch (const CliError&) {
      throw;
    } catch (const std::exception& e) {
      throw CliError(std::string("the manifest spworker printed cannot be read: ") + e.what());
    }
    issues = check_plan_file(options.plan_path, options.degrees, &manifest.root, &plan);
  }
  int errors = 0, warnings = 0;
  for (const auto& issue : issues) {
    (issue.severity == Severity::Error ? errors : warnings) += 1;
    std::printf("%s\n", issue.to_string().c_str());
  }
  const std::string where = options.plan_path + " for " + options.model + " at " + options.degrees.to_string() + ", " +
                            std::to_string(options.height) + "x" + std::to_string(options.width);
  if (errors > 0)
    throw CliError(where + ": " + std::to_string(errors) + " error" + (errors == 1 ? "" : "s") + ", " +
                   std::to_string(warnings) + " warning" + (warnings == 1 ? "" : "s"));
  std::printf("%s: valid (%d warning%s)\n", where.c_str(), warnings, warnings == 1 ? "" : "s");
  return 0;
}

}  // namespace spstudio::cli
