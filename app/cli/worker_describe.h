// SPDX-License-Identifier: Apache-2.0
// The model manifest comes from `spworker --describe` (the worker has LibTorch and the models; the
// CLI has neither), run as a child process.
#pragma once

#include <string>

#include "app/cli/cli_options.h"

namespace spstudio::cli {

/// The manifest JSON spworker prints for `options.model` at height × width. Throws CliError with
/// the worker's own error line when it fails, and naming the program when it cannot start.
std::string describe_model(const CommonOptions& options, int height, int width);

}  // namespace spstudio::cli
