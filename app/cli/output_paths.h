// SPDX-License-Identifier: Apache-2.0
// Output files are checked before any worker starts: a typo in a folder name should not cost a
// whole generation.
#pragma once

#include <QString>

namespace spstudio::cli {

/// Throws CliError naming `option` and the path when the file's folder does not exist or is not
/// writable, or the path is a folder.
void check_output_path(const QString& option, const QString& path);
/// Throws CliError naming `option` when the file does not exist or cannot be read.
void check_input_path(const QString& option, const QString& path);

}  // namespace spstudio::cli
