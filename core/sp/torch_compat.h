// SPDX-License-Identifier: Apache-2.0
// Differences between the LibTorch versions we build against (Debian's 1.13 CPU build on the
// development machines, 2.x inside PyTorch on GPU boxes) live here and nowhere else.
#pragma once

#include <ATen/ATen.h>
#include <torch/version.h>

#define SPSTUDIO_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace spstudio::sp::compat {

/// "1.13.1": for logs and reports.
inline const char* torch_version() {
  return TORCH_VERSION;
}

}  // namespace spstudio::sp::compat
