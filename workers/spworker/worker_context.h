// SPDX-License-Identifier: Apache-2.0
// What the job runners share: the connection, the job control, the groups, the cached model and
// the device, plus the pieces every job ends with (Error, JobDone, summaries) and the rules for
// failures: agreed failures before a job runs keep the worker up, failures while it runs do not.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "connection.h"
#include "device.h"
#include "job_control.h"
#include "model_cache.h"
#include "worker_error.h"
#include "worker_groups.h"

namespace spstudio::workers {

struct WorkerContext {
  Connection& connection;
  JobControl& control;
  WorkerGroups& groups;
  ModelCache& models;
  DeviceChoice device;
  std::uint32_t rank = 0;

  void send_error(std::uint64_t job_id, wire::ExitCode code, const std::string& message);
  void send_job_done(std::uint64_t job_id, wire::JobStatus status, std::uint32_t images_done,
                     const nlohmann::json& summary);
  /// {"peak_memory_bytes", "device", "backend", "intra_op_threads"}: JobDone's summary.
  nlohmann::json job_summary() const;
};

/// A failure already reported to the supervisor (Error and JobDone sent) after which the worker
/// must exit with code(): peers may be waiting for this rank inside a collective.
class ReportedFatalError : public WorkerError {
 public:
  using WorkerError::WorkerError;
};

/// The exit code and a message for any exception: WorkerError keeps its code; out-of-memory
/// (c10::OutOfMemoryError, std::bad_alloc) → OutOfMemory; plan and sharding errors →
/// PlanInvalid; communication failures → JobFailed; std::invalid_argument → BadArguments;
/// anything else → `otherwise`.
WorkerError classify_failure(std::exception_ptr failure, wire::ExitCode otherwise);

/// Runs `prepare` (load the model, resolve the plan, build the groups, check sizes) on this rank,
/// then agrees with every rank whether all succeeded. A local failure is reported as Error. When
/// any rank failed, sends JobDone Failed and returns false: every rank skips the job together and
/// stays up.
bool prepare_on_every_rank(WorkerContext& w, std::uint64_t job_id, const std::function<void()>& prepare);

/// For a failure while a job runs: reports it (Error, JobDone Failed). Out of memory, a broken
/// communicator or a non-standard exception then throw ReportedFatalError: the worker exits. Other
/// errors return and the worker stays up: every rank runs the same computation on the same
/// replicated inputs, so they happen alike on every rank before a collective one would skip (a
/// rank failing alone leaves its peers to the collective timeout, then they exit).
void fail_running_job(WorkerContext& w, std::uint64_t job_id, std::uint32_t images_done, std::exception_ptr failure);

}  // namespace spstudio::workers
