// SPDX-License-Identifier: Apache-2.0
// A failure with the exit code (and Error code) it stands for (wire::ExitCode).
#pragma once

#include <stdexcept>
#include <string>

#include "common/wire/messages.h"

namespace spstudio::workers {

class WorkerError : public std::runtime_error {
 public:
  WorkerError(wire::ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  wire::ExitCode code() const { return code_; }

 private:
  wire::ExitCode code_;
};

}  // namespace spstudio::workers
