// SPDX-License-Identifier: Apache-2.0
// One text-to-image Job on this rank: prepare (groups for the job's degrees, plan, model) on every
// rank, then each image's denoising steps with their stream (StepPreview, Latent, StringDef,
// Ranges, StepDone), ImageDone, and JobDone. Cancels are agreed among ranks at every step boundary
// and before every image.
#pragma once

#include "common/wire/messages.h"
#include "worker_context.h"

namespace spstudio::workers {

/// Sends everything the job produces, JobDone included. Returns normally when the worker can take
/// the next job; throws ReportedFatalError (already reported) when it must exit.
void run_job(WorkerContext& w, const wire::Job& job);

}  // namespace spstudio::workers
