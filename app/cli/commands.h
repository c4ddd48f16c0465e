// SPDX-License-Identifier: Apache-2.0
// The spstudio-cli commands (DESIGN.md "CLI contract"). Each takes the command line with the
// program and command as its first element ("spstudio-cli generate") and returns the exit code;
// failures throw CliError, which main prints as the one-line reason.
#pragma once

#include <QStringList>

namespace spstudio::cli {

int run_generate(const QStringList& arguments);
int run_bench(const QStringList& arguments);
int run_validate_plan(const QStringList& arguments);
int run_describe(const QStringList& arguments);
int run_forward(const QStringList& arguments);

}  // namespace spstudio::cli
