// SPDX-License-Identifier: Apache-2.0
// Output files are checked before any worker starts: a typo in a folder name should not cost a
// whole generation.
#pragma once

#include <QString>

namespace spstudio::cli {

/// Throws CliError naming `option` and the path when the file's folder does not exist or is not
/// writable, or the path is a folder.
void check_output_path(const QString& option, const QString& path);
/// `path` with `tag` before its last suffix: ("runs/a.spstream", "2x1") → "runs/a-2x1.spstream";
/// without a suffix the tag goes at the end ("a" → "a-2x1").
QString tagged_path(const QString& path, const QString& tag);
/// Throws CliError naming `option` when the file does not exist or cannot be read.
void check_input_path(const QString& option, const QString& path);

}  // namespace spstudio::cli
