// SPDX-License-Identifier: Apache-2.0
#include "app/cli/cli_options.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "app/cli/output_paths.h"

namespace spstudio::cli {

CliError::CliError(const std::string& message, int exit_code)
    : std::runtime_error(one_line(message)), exit_code_(exit_code) {}
CliError::CliError(const QString& message, int exit_code) : CliError(message.toStdString(), exit_code) {}

std::string one_line(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    // "...does not fit X:" introduces what follows: no "; " after a colon.
    if (!line.empty()) out += (out.empty() ? "" : out.back() == ':' ? " " : "; ") + line;
    start = end + 1;
  }
  return out;
}

void add_common_options(QCommandLineParser& parser, unsigned groups) {
  parser.addHelpOption();
  if (groups & kModelOption)
    parser.addOption({"model", "Model: builtin:tiny-flux, a diffusers folder or one component's folder.", "M"});
  if (groups & kDegreeOptions) {
    parser.addOption({{"ulysses-degree", "ulysses_degree"}, "Ulysses (all-to-all) degree (default 1).", "U"});
    parser.addOption({{"ring-degree", "ring_degree"}, "Ring attention degree (default 1).", "R"});
  }
  if (groups & kSizeOptions) {
    parser.addOption({"height", "Image height in pixels, a multiple of 16 (default 256).", "H"});
    parser.addOption({"width", "Image width in pixels, a multiple of 16 (default 256).", "W"});
  }
  if (groups & kPlanOption)
    parser.addOption({"plan", "SP plan file (spstudio-plan/1 JSON); default: the model's shipped plan.", "FILE"});
  if (groups & kPoolOptions) {
    parser.addOption({"device", "cpu, cuda or auto (default auto: CUDA when available).", "D"});
    parser.addOption({"dtype",
                      "Weights and activations: float32, bfloat16, float16 or auto (default auto: bfloat16 on "
                      "CUDA, float32 on the CPU).",
                      "TYPE"});
    parser.addOption({"threads", "Intra-op threads per worker (default: cores / workers).", "T"});
    parser.addOption(
        {"worker", "The spworker executable (default: $SPSTUDIO_WORKER, else next to spstudio-cli).", "PATH"});
    parser.addOption(
        {"heartbeat-timeout", "Seconds of silence after which a worker counts as hung (default 10).", "S"});
    parser.addOption({"start-timeout", "Seconds the workers may take to start (default 120).", "S"});
  }
  if (groups & kQuietOption) parser.addOption({{"quiet", "q"}, "No progress lines on stderr."});
  if (groups & kRecordOption) {
    parser.addOption({"record",
                      "Also record every message the workers send to FILE (a stream SP Studio replays without "
                      "workers).",
                      "FILE"});
  }
}

bool parse_command_line(QCommandLineParser& parser, const QStringList& arguments, const QString& command) {
  if (!parser.parse(arguments)) throw CliError(command + ": " + parser.errorText(), kUsageExitCode);
  if (parser.isSet("help")) {
    std::fputs(parser.helpText().toLocal8Bit().constData(), stdout);
    return false;
  }
  if (!parser.positionalArguments().isEmpty())
    throw CliError(command + ": unexpected argument \"" + parser.positionalArguments().first() + "\"", kUsageExitCode);
  return true;
}

long long int_option(const QCommandLineParser& parser, const QString& name, long long fallback, long long min,
                     long long max) {
  if (!parser.isSet(name)) return fallback;
  bool ok = false;
  const QString text = parser.value(name);
  const long long value = text.toLongLong(&ok);
  if (!ok) throw CliError("--" + name + " must be an integer, not \"" + text + "\"", kUsageExitCode);
  if (value < min || value > max)
    throw CliError(QString("--%1 must be between %2 and %3, not %4").arg(name).arg(min).arg(max).arg(value),
                   kUsageExitCode);
  return value;
}

double double_option(const QCommandLineParser& parser, const QString& name, double fallback, double min, double max) {
  if (!parser.isSet(name)) return fallback;
  bool ok = false;
  const QString text = parser.value(name);
  const double value = text.toDouble(&ok);
  if (!ok || !std::isfinite(value))
    throw CliError("--" + name + " must be a number, not \"" + text + "\"", kUsageExitCode);
  if (value < min || value > max)
    throw CliError(QString("--%1 must be between %2 and %3, not %4").arg(name).arg(min).arg(max).arg(text),
                   kUsageExitCode);
  return value;
}

void check_image_size(int height, int width) {
  for (const auto& [name, value] : {std::pair{"height", height}, std::pair{"width", width}}) {
    if (value % 16 != 0) {
      const int below = value / 16 * 16;
      throw CliError(std::string("--") + name + " " + std::to_string(value) +
                         " is not a multiple of 16 (the VAE's factor 8 times the 2x2 latent packing); use " +
                         (below > 0 ? std::to_string(below) + " or " : std::string()) + std::to_string(below + 16),
                     kUsageExitCode);
    }
  }
}

CommonOptions read_common_options(const QCommandLineParser& parser, unsigned groups) {
  CommonOptions o;
  if (groups & kModelOption) {
    o.model = parser.value("model").toStdString();
    if (o.model.empty()) throw CliError("--model is required (e.g. --model builtin:tiny-flux)", kUsageExitCode);
  }
  if (groups & kDegreeOptions) {
    o.degrees.ulysses_degree = static_cast<int>(int_option(parser, "ulysses-degree", 1, 1, 1024));
    o.degrees.ring_degree = static_cast<int>(int_option(parser, "ring-degree", 1, 1, 1024));
    if (o.degrees.sp_size() > 1024)
      throw CliError(
          "--ulysses-degree × --ring-degree = " + std::to_string(o.degrees.sp_size()) + " workers is more than 1024",
          kUsageExitCode);
  }
  if (groups & kSizeOptions) {
    o.height = static_cast<int>(int_option(parser, "height", 256, 16, 16384));
    o.width = static_cast<int>(int_option(parser, "width", 256, 16, 16384));
    check_image_size(o.height, o.width);
  }
  if (groups & kPlanOption) o.plan_path = parser.value("plan").toStdString();
  if (groups & kPoolOptions) {
    o.device = parser.isSet("device") ? parser.value("device") : QString("auto");
    if (o.device != "auto" && o.device != "cpu" && o.device != "cuda")
      throw CliError("--device must be cpu, cuda or auto, not \"" + o.device + "\"", kUsageExitCode);
    o.dtype = parser.isSet("dtype") ? parser.value("dtype") : QString("auto");
    if (!QStringList{"auto", "float32", "bfloat16", "float16"}.contains(o.dtype))
      throw CliError("--dtype must be float32, bfloat16, float16 or auto, not \"" + o.dtype + "\"", kUsageExitCode);
    o.threads = static_cast<int>(int_option(parser, "threads", 0, 1, 1024));
    o.worker = parser.value("worker");
    o.heartbeat_timeout_s = double_option(parser, "heartbeat-timeout", 10, 0.1, 86400);
    o.start_timeout_s = double_option(parser, "start-timeout", 120, 1, 86400);
  }
  if (groups & kQuietOption) o.quiet = parser.isSet("quiet");
  if ((groups & kRecordOption) && parser.isSet("record")) {
    o.record_path = parser.value("record");
    check_output_path("record", o.record_path);
  }
  return o;
}

QString worker_program(const CommonOptions& options) {
  if (!options.worker.isEmpty()) return options.worker;
  const QString from_environment = QProcessEnvironment::systemEnvironment().value("SPSTUDIO_WORKER");
  if (!from_environment.isEmpty()) return from_environment;
  return QDir(QCoreApplication::applicationDirPath()).filePath("spworker");
}

app::PoolOptions pool_options(const CommonOptions& options, int world) {
  app::PoolOptions pool;
  pool.world = world;
  pool.device = options.device;
  pool.dtype = options.dtype;
  pool.worker_program = worker_program(options);
  pool.threads_per_worker = options.threads;
  pool.start_timeout = std::chrono::milliseconds(static_cast<long long>(options.start_timeout_s * 1000));
  pool.heartbeat_timeout = std::chrono::milliseconds(static_cast<long long>(options.heartbeat_timeout_s * 1000));
  pool.recording_path = options.record_path;
  return pool;
}

}  // namespace spstudio::cli
