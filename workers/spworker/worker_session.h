// SPDX-License-Identifier: Apache-2.0
// spworker's serving mode (workers/SPWORKER.md): connect and handshake, select the device, join
// the rendezvous, send Ready, then run jobs until Bye or until the supervisor is gone.
#pragma once

#include "worker_args.h"

namespace spstudio::workers {

/// Never returns: the process exits with a wire::ExitCode (0 after Bye).
[[noreturn]] void serve(const WorkerArgs& args);

}  // namespace spstudio::workers
