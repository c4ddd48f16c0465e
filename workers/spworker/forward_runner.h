// SPDX-License-Identifier: Apache-2.0
// A ForwardJob (spstudio-cli forward): one component — the transformer under the job's (U, R)
// and plan, the VAE decoder or a text encoder replicated — on named inputs from a safetensors
// file, with diffusers' parameter names; rank 0 writes the outputs as safetensors.
#pragma once

#include "common/wire/messages.h"
#include "worker_context.h"

namespace spstudio::workers {

/// Sends Error / JobDone (its summary adds "outputs": {name: shape} and "forward_ms"). Returns when
/// the worker can go on; throws ReportedFatalError when it must exit.
void run_forward(WorkerContext& w, const wire::ForwardJob& job);

}  // namespace spstudio::workers
