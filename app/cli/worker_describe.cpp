// SPDX-License-Identifier: Apache-2.0
#include "app/cli/worker_describe.h"

#include <QFileInfo>
#include <QProcess>

namespace spstudio::cli {
namespace {

/// The last non-empty line of the worker's stderr: its error sentence.
QString last_line(const QByteArray& output) {
  const auto lines = QString::fromUtf8(output).split('\n', Qt::SkipEmptyParts);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if (!it->trimmed().isEmpty()) return it->trimmed();
  return {};
}

}  // namespace

std::string describe_model(const CommonOptions& options, int height, int width) {
  const QString program = worker_program(options);
  if (!QFileInfo(program).isExecutable())
    throw CliError("the worker program " + program +
                   " does not exist or is not executable (build the spworker "
                   "target, or pass --worker PATH)");
  QProcess process;
  process.start(program, {"--describe", "--model", QString::fromStdString(options.model), "--height",
                          QString::number(height), "--width", QString::number(width)});
  if (!process.waitForStarted(30000)) throw CliError("cannot start " + program + ": " + process.errorString());
  constexpr int kTimeoutMs = 10 * 60 * 1000;  // a large model folder takes a while to load
  if (!process.waitForFinished(kTimeoutMs)) {
    process.kill();
    process.waitForFinished(5000);
    throw CliError("describing " + QString::fromStdString(options.model) + " did not finish within 10 minutes");
  }
  const QByteArray out = process.readAllStandardOutput();
  if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
    QString reason = last_line(process.readAllStandardError());
    if (reason.isEmpty())
      reason = process.exitStatus() == QProcess::NormalExit ? QString("exit code %1").arg(process.exitCode())
                                                            : QString("it crashed");
    throw CliError("describing " + QString::fromStdString(options.model) + " failed: " + reason);
  }
  return out.toStdString();
}

}  // namespace spstudio::cli
