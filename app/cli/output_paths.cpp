// SPDX-License-Identifier: Apache-2.0
#include "app/cli/output_paths.h"

#include <QFileInfo>

#include "app/cli/cli_options.h"

namespace spstudio::cli {

void check_output_path(const QString& option, const QString& path) {
  if (path.isEmpty()) throw CliError("--" + option + " needs a file name", kUsageExitCode);
  const QFileInfo file(path);
  if (file.isDir()) throw CliError("--" + option + " " + path + " is a folder, not a file", kUsageExitCode);
  const QFileInfo folder(file.absolutePath());
  if (!folder.isDir())
    throw CliError("--" + option + " " + path + ": the folder " + folder.filePath() + " does not exist",
                   kUsageExitCode);
  if (!folder.isWritable())
    throw CliError("--" + option + " " + path + ": the folder " + folder.filePath() + " is not writable",
                   kUsageExitCode);
}

QString tagged_path(const QString& path, const QString& tag) {
  const QFileInfo file(path);
  const QString name = file.fileName();
  const int dot = name.lastIndexOf('.');
  // A leading dot (".hidden") starts the name, not a suffix.
  const QString tagged = dot > 0 ? name.left(dot) + "-" + tag + name.mid(dot) : name + "-" + tag;
  return path.left(path.size() - name.size()) + tagged;
}

void check_input_path(const QString& option, const QString& path) {
  if (path.isEmpty()) throw CliError("--" + option + " is required", kUsageExitCode);
  const QFileInfo file(path);
  if (!file.isFile()) throw CliError("--" + option + " " + path + " does not exist or is not a file", kUsageExitCode);
  if (!file.isReadable()) throw CliError("--" + option + " " + path + " is not readable", kUsageExitCode);
}

}  // namespace spstudio::cli
