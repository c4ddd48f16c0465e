// SPDX-License-Identifier: Apache-2.0
// The options several spstudio-cli commands share (DESIGN.md "CLI contract"): model, degrees (with
// vLLM-Omni's `--ulysses_degree` / `--ring_degree` spellings as aliases), size, plan, and how the
// worker pool is started. Values are checked here, so a command never starts a worker for a
// command line that cannot work.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "app/session/worker_pool.h"
#include "common/parallel_config.h"

namespace spstudio::cli {

/// What the command could not do, in one line; main prints "spstudio-cli: <what()>" and exits
/// with `exit_code`.
class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, int exit_code = 1);
  explicit CliError(const QString& message, int exit_code = 1);
  explicit CliError(const char* message, int exit_code = 1) : CliError(std::string(message), exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};
inline constexpr int kUsageExitCode = 2;
inline constexpr int kInterruptedExitCode = 130;

/// Option groups a command asks for.
enum OptionGroup : unsigned {
  kModelOption = 1u << 0,    ///< --model (required)
  kDegreeOptions = 1u << 1,  ///< --ulysses-degree, --ring-degree and the underscore aliases
  kSizeOptions = 1u << 2,    ///< --height, --width
  kPlanOption = 1u << 3,     ///< --plan FILE
  kPoolOptions = 1u << 4,    ///< --device, --dtype, --threads, --worker, --heartbeat-timeout, --start-timeout
  kQuietOption = 1u << 5,    ///< --quiet
  kRecordOption = 1u << 6,   ///< --record FILE: the pool records what the workers send (ReplayPool plays it)
};

struct CommonOptions {
  std::string model;
  ParallelConfig degrees;
  int height = 256, width = 256;
  std::string plan_path;  ///< empty: the model family's shipped plan
  QString device = "auto";
  QString dtype = "auto";  ///< auto | float32 | bfloat16 | float16 (spworker --dtype)
  int threads = 0;
  QString worker;  ///< --worker; empty: $SPSTUDIO_WORKER, else spworker next to spstudio-cli
  double heartbeat_timeout_s = 10;
  double start_timeout_s = 120;
  bool quiet = false;
  QString record_path;  ///< --record; empty: no recording
};

void add_common_options(QCommandLineParser& parser, unsigned groups);
/// Parses `arguments` (program name first, then the command's own). On --help prints the help to
/// stdout and returns false. Throws CliError (usage exit code) on unknown options or missing values.
bool parse_command_line(QCommandLineParser& parser, const QStringList& arguments, const QString& command);
/// Reads and checks the groups' values. Throws CliError naming the option.
CommonOptions read_common_options(const QCommandLineParser& parser, unsigned groups);

/// An integer option in [min, max]; `fallback` when absent. Throws CliError naming the option.
long long int_option(const QCommandLineParser& parser, const QString& name, long long fallback, long long min,
                     long long max);
double double_option(const QCommandLineParser& parser, const QString& name, double fallback, double min, double max);

/// Height or width: a positive multiple of 16 (the VAE's 8× and the 2×2 latent packing).
void check_image_size(int height, int width);

/// --worker, else $SPSTUDIO_WORKER, else spworker next to this executable.
QString worker_program(const CommonOptions& options);
/// The pool for `world` workers; records to options.record_path when it is set.
app::PoolOptions pool_options(const CommonOptions& options, int world);

/// Joins the lines of a multi-line message with "; " (" " after a line ending in ':'), dropping
/// empty lines: the CLI's error is one line.
std::string one_line(const std::string& text);

}  // namespace spstudio::cli
