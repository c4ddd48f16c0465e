// SPDX-License-Identifier: Apache-2.0
#include "sp/cuda/current_stream.h"

#include <atomic>

namespace spstudio::sp::cuda {
namespace {

std::atomic<CurrentStreamFn> g_current_stream_fn{nullptr};

}  // namespace

cudaStream_t current_stream(int device) {
  const CurrentStreamFn fn = g_current_stream_fn.load(std::memory_order_acquire);
  // LibTorch's default stream is the legacy default stream (stream 0), ordered with every
  // blocking stream; the communicator's own stream is created non-blocking.
  return fn ? fn(device) : cudaStreamLegacy;
}

void set_current_stream_fn(CurrentStreamFn fn) {
  g_current_stream_fn.store(fn, std::memory_order_release);
}

}  // namespace spstudio::sp::cuda
