// SPDX-License-Identifier: Apache-2.0
// The sentences the supervisor shows for spworker's exit codes.
#include "common/wire/messages.h"

namespace spstudio::wire {

const char* describe_exit_code(int code) {
  if (code < 0 || code > 255) return "the worker ended with an exit code spworker never uses";
  switch (static_cast<ExitCode>(code)) {
    case ExitCode::Ok:
      return "the worker finished normally";
    case ExitCode::BadArguments:
      return "the worker was started with bad command-line arguments";
    case ExitCode::DeviceInit:
      return "the worker could not initialise its device";
    case ExitCode::CommunicatorInit:
      return "the worker could not set up the communicator (rendezvous with the other ranks failed)";
    case ExitCode::PlanInvalid:
      return "the plan is invalid";
    case ExitCode::OutOfMemory:
      return "the worker ran out of memory";
    case ExitCode::ProtocolError:
      return "the worker and the supervisor could not understand each other (protocol error)";
    case ExitCode::ModelLoad:
      return "the worker could not load the model";
    case ExitCode::JobFailed:
      return "the job failed on the worker";
    case ExitCode::SupervisorLost:
      return "the worker lost its connection to the supervisor";
    case ExitCode::Internal:
      return "the worker hit an internal error";
  }
  return "the worker ended with an exit code spworker never uses";
}

}  // namespace spstudio::wire
