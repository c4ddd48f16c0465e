// SPDX-License-Identifier: Apache-2.0
// The names of the pool states, as status lines and logs show them.
#include "app/session/worker_link.h"

namespace spstudio::app {

const char* to_string(PoolState state) {
  switch (state) {
    case PoolState::Stopped:
      return "stopped";
    case PoolState::Starting:
      return "starting";
    case PoolState::Ready:
      return "ready";
    case PoolState::Stopping:
      return "stopping";
    case PoolState::Failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace spstudio::app
