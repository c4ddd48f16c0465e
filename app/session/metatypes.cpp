// SPDX-License-Identifier: Apache-2.0
// Registers the value types that the pool and session signals carry.
#include <QMetaType>

#include "app/session/session.h"
#include "app/session/worker_link.h"

namespace spstudio::app {

void register_session_metatypes() {
  // Idempotent: qRegisterMetaType returns the existing id on later calls.
  qRegisterMetaType<PoolState>("spstudio::app::PoolState");
  qRegisterMetaType<WorkerFailure>("spstudio::app::WorkerFailure");
  qRegisterMetaType<JobResult>("spstudio::app::JobResult");
  qRegisterMetaType<wire::Message>("spstudio::wire::Message");
  qRegisterMetaType<wire::StepPreview>("spstudio::wire::StepPreview");
  qRegisterMetaType<wire::StepDone>("spstudio::wire::StepDone");
  qRegisterMetaType<wire::Latent>("spstudio::wire::Latent");
  qRegisterMetaType<wire::ImageDone>("spstudio::wire::ImageDone");
  qRegisterMetaType<std::vector<profiling::NamedRange>>("std::vector<spstudio::profiling::NamedRange>");
}

}  // namespace spstudio::app
