// SPDX-License-Identifier: Apache-2.0
// spstudio-cli describe: the model manifest JSON (spstudio-manifest/1) on stdout.
#include <cstdio>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"
#include "app/cli/worker_describe.h"

namespace spstudio::cli {

int run_describe(const QStringList& arguments) {
  constexpr unsigned kGroups = kModelOption | kSizeOptions | kPoolOptions;
  QCommandLineParser parser;
  parser.setApplicationDescription("Prints the model manifest (module tree, signatures, shapes at HxW) as JSON.");
  add_common_options(parser, kGroups);
  if (!parse_command_line(parser, arguments, "describe")) return 0;
  const CommonOptions options = read_common_options(parser, kGroups);
  const std::string manifest = describe_model(options, options.height, options.width);
  std::fwrite(manifest.data(), 1, manifest.size(), stdout);
  if (!manifest.empty() && manifest.back() != '\n') std::fputc('\n', stdout);
  return 0;
}

}  // namespace spstudio::cli
