// SPDX-License-Identifier: Apache-2.0
// spstudio-cli: SP Studio without a window (DESIGN.md "CLI contract"). Exit code 0 on success,
// otherwise non-zero with one line "spstudio-cli: <reason>" on stderr.
#include <QCoreApplication>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>

#include "app/cli/cli_options.h"
#include "app/cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: spstudio-cli COMMAND [options]   (spstudio-cli COMMAND --help lists a command's options)\n"
    "\n"
    "  generate       one image from a prompt, sequence-parallel over U x R worker processes\n"
    "  bench          step time, images/s and where the time goes, per U x R configuration\n"
    "  validate-plan  check a plan file against a model (every problem with its plan entry)\n"
    "  describe       the model manifest (module tree, signatures, shapes) as JSON on stdout\n"
    "  forward        run one component on named inputs from a safetensors file\n";

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName("spstudio-cli");
  const QStringList arguments = QCoreApplication::arguments();
  if (arguments.size() < 2) {
    std::fputs(kUsage, stderr);
    std::fputs("spstudio-cli: no command given\n", stderr);
    return spstudio::cli::kUsageExitCode;
  }
  const QString command = arguments.at(1);
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::map<QString, std::function<int(const QStringList&)>> commands = {
      {"generate", spstudio::cli::run_generate},
      {"bench", spstudio::cli::run_bench},
      {"validate-plan", spstudio::cli::run_validate_plan},
      {"describe", spstudio::cli::run_describe},
      {"forward", spstudio::cli::run_forward},
  };
  const auto it = commands.find(command);
  if (it == commands.end()) {
    std::fprintf(stderr,
                 "spstudio-cli: unknown command \"%s\" (one of generate, bench, validate-plan, describe, forward)\n",
                 command.toLocal8Bit().constData());
    return spstudio::cli::kUsageExitCode;
  }
  QStringList command_arguments = arguments.mid(2);
  command_arguments.prepend("spstudio-cli " + command);
  try {
    return it->second(command_arguments);
  } catch (const spstudio::cli::CliError& e) {
    std::fprintf(stderr, "spstudio-cli: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spstudio-cli: %s\n", spstudio::cli::one_line(e.what()).c_str());
    return 1;
  }
}
