// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>

namespace spstudio::models {

/// Anything wrong with a checkpoint: unreadable or corrupt safetensors, a sharded index that names a
/// missing shard or tensor, pickle checkpoints, or weights that do not fit the module. The message
/// names the file (and the tensor, where there is one) and says what is wrong. The weights code lets
/// no other exception type escape, so callers (and the fuzzer) need to catch only this one.
class WeightsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace spstudio::models
