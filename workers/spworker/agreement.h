// SPDX-License-Identifier: Apache-2.0
// Decisions every rank must take together, or one rank would wait forever in a collective the
// others skipped: whether to stop (cancel) and whether everyone is ready to run a job.
#pragma once

#include "job_control.h"
#include "sp/comm/communicator.h"

namespace spstudio::workers {

/// The strongest cancel level any rank has seen (a collective over `group`).
CancelLevel agree_cancel(sp::Communicator& group, CancelLevel mine);

/// True when every rank passes true (a collective over `group`).
bool agree_all_ok(sp::Communicator& group, bool mine);

}  // namespace spstudio::workers
