// SPDX-License-Identifier: Apache-2.0
#include "worker_context.h"

#include <c10/util/Exception.h>

#include <new>

#include "agreement.h"
#include "common/issues.h"
#include "cuda_support.h"
#include "sp/errors.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::workers {

void WorkerContext::send_error(std::uint64_t job_id, wire::ExitCode code, const std::string& message) {
  connection.send(wire::Error{rank, job_id, code, message});
}

void WorkerContext::send_job_done(std::uint64_t job_id, wire::JobStatus status, std::uint32_t images_done,
                                  const nlohmann::json& summary) {
  connection.send(wire::JobDone{job_id, rank, status, images_done, summary.dump()});
}

nlohmann::json WorkerContext::job_summary() const {
  return {{"peak_memory_bytes",
           device.device.is_cuda() ? cuda_peak_memory_bytes(device.device.index()) : sp::peak_host_memory_bytes()},
          {"device", device.name},
          {"backend", groups.backend()},
          {"intra_op_threads", device.intra_op_threads}};
}

WorkerError classify_failure(std::exception_ptr failure, wire::ExitCode otherwise) {
  try {
    std::rethrow_exception(failure);
  } catch (const WorkerError& e) {
    return e;
  } catch (const c10::OutOfMemoryError& e) {
    return WorkerError(wire::ExitCode::OutOfMemory, std::string("out of memory: ") + e.what_without_backtrace());
  } catch (const std::bad_alloc& e) {
    return WorkerError(wire::ExitCode::OutOfMemory, std::string("out of memory: ") + e.what());
  } catch (const PlanError& e) {
    return WorkerError(wire::ExitCode::PlanInvalid, e.what());
  } catch (const sp::SequenceParallelError& e) {
    return WorkerError(wire::ExitCode::PlanInvalid, e.what());
  } catch (const sp::CommunicationError& e) {
    return WorkerError(wire::ExitCode::JobFailed, std::string("communication failed: ") + e.what());
  } catch (const c10::Error& e) {
    return WorkerError(otherwise, e.what_without_backtrace());
  } catch (const std::invalid_argument& e) {
    return WorkerError(wire::ExitCode::BadArguments, e.what());
  } catch (const std::exception& e) {
    return WorkerError(otherwise, e.what());
  } catch (...) {
    return WorkerError(otherwise, "an unknown exception");
  }
}

bool prepare_on_every_rank(WorkerContext& w, std::uint64_t job_id, const std::function<void()>& prepare) {
  bool ok = true;
  try {
    prepare();
  } catch (...) {
    const WorkerError e = classify_failure(std::current_exception(), wire::ExitCode::JobFailed);
    if (e.code() == wire::ExitCode::OutOfMemory) throw e;  // the process is in no state to go on
    ok = false;
    w.send_error(job_id, e.code(), e.what());
  }
  if (agree_all_ok(w.groups.control(), ok)) return true;
  nlohmann::json summary = w.job_summary();
  summary["error"] =
      ok ? "another rank could not prepare the job (its Error says why)" : "this rank could not prepare the job";
  w.send_job_done(job_id, wire::JobStatus::Failed, 0, summary);
  return false;
}

void fail_running_job(WorkerContext& w, std::uint64_t job_id, std::uint32_t images_done, std::exception_ptr failure) {
  const WorkerError e = classify_failure(failure, wire::ExitCode::JobFailed);
  w.send_error(job_id, e.code(), e.what());
  nlohmann::json summary = w.job_summary();
  summary["error"] = e.what();
  w.send_job_done(job_id, wire::JobStatus::Failed, images_done, summary);
  bool fatal = e.code() == wire::ExitCode::OutOfMemory;
  try {
    std::rethrow_exception(failure);
  } catch (const sp::CommunicationError&) {
    fatal = true;  // a peer is gone or the group is broken
  } catch (const std::exception&) {
  } catch (...) {
    fatal = true;
  }
  if (fatal) throw ReportedFatalError(e.code(), e.what());
}

}  // namespace spstudio::workers
