// SPDX-License-Identifier: Apache-2.0
// spworker --describe: the model manifest with shapes (spstudio-manifest/1) of a model's
// transformer at one image size, for the plan editor and static validation.
#pragma once

#include <string>

namespace spstudio::workers {

/// The manifest JSON of `model`'s transformer after one forward at height × width pixels (with the
/// pipeline's default 512 text tokens). Throws WorkerError: ModelLoad, BadArguments (size).
std::string describe_model(const std::string& model, int height, int width);

}  // namespace spstudio::workers
