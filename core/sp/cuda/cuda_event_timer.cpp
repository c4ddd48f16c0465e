// SPDX-License-Identifier: Apache-2.0
// CudaEventTimer: pooled CUDA events on the compute stream, mapped to the host steady clock through
// one calibration event per resolve (see the header for why that mapping is exact enough).
#include "sp/cuda/cuda_event_timer.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/current_stream.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::sp::cuda {
namespace {

std::string timer_name(int device) {
  return "the CUDA event timer on device " + std::to_string(device);
}

}  // namespace

CudaEventTimer::CudaEventTimer(int device, std::uint16_t stream_id) : device_(device), stream_id_(stream_id) {
  require_cuda_device(device, "CUDA event timer");
  if (stream_id == 0)
    throw std::invalid_argument("CUDA event timer on device " + std::to_string(device) +
                                ": stream id 0 is the host ranges' stream; device ranges need another");
}

CudaEventTimer::~CudaEventTimer() {
  // No throwing here: the recorder may destroy the timer at exit, after the runtime is unloading.
  int previous = 0;
  const bool restore = cudaGetDevice(&previous) == cudaSuccess && previous != device_;
  if (restore) static_cast<void>(cudaSetDevice(device_));
  for (cudaEvent_t e : events_)
    static_cast<void>(cudaEventDestroy(e));
  if (restore) static_cast<void>(cudaSetDevice(previous));
  static_cast<void>(cudaGetLastError());  // leave no sticky error behind for the caller
}

cudaEvent_t CudaEventTimer::event(std::size_t i) {
  while (events_.size() <= i) {
    cudaEvent_t e = nullptr;
    // Default flags: timing enabled (cudaEventElapsedTime needs it), and a spinning wait, which
    // wakes the host soonest after the calibration event completes.
    check_cuda(cudaEventCreateWithFlags(&e, cudaEventDefault), "cudaEventCreate for " + timer_name(device_));
    events_.push_back(e);
  }
  return events_[i];
}

std::uint32_t CudaEventTimer::mark() {
  const DeviceGuard scope(device_, timer_name(device_));
  const std::size_t index = used_;
  const cudaEvent_t e = event(index);
  check_cuda(cudaEventRecord(e, current_stream(device_)),
             "cudaEventRecord of mark " + std::to_string(index) + " for " + timer_name(device_));
  ++used_;  // only once recorded: a failed mark takes no index
  return static_cast<std::uint32_t>(index);
}

std::vector<std::int64_t> CudaEventTimer::resolve() {
  if (used_ == 0) return {};
  const std::size_t marks = std::exchange(used_, 0);  // indices restart even if a call below throws
  const std::string who = timer_name(device_);
  const DeviceGuard scope(device_, who);
  check_cuda(cudaEventSynchronize(events_[marks - 1]), "cudaEventSynchronize of the last mark for " + who);

  // Calibration: the host reads its clock as soon as this event completes, so the event's time on
  // the host clock is host_ns (late by the wake-up latency, microseconds); every mark's time is
  // host_ns minus its distance to this event on the GPU clock.
  const cudaEvent_t calibration = event(marks);
  check_cuda(cudaEventRecord(calibration, current_stream(device_)), "cudaEventRecord of the calibration for " + who);
  check_cuda(cudaEventSynchronize(calibration), "cudaEventSynchronize of the calibration for " + who);
  const std::int64_t host_ns = steady_now_ns();

  std::vector<std::int64_t> times(marks);
  for (std::size_t i = 0; i < marks; ++i) {
    float ms = 0;
    cudaError_t code = cudaEventElapsedTime(&ms, events_[i], calibration);
    if (code == cudaErrorNotReady) {
      // A mark on another stream than the last one (the current stream changed mid-step): wait
      // for it too. Not an error, but clear CUDA's last error so nothing later trips on it.
      static_cast<void>(cudaGetLastError());
      check_cuda(cudaEventSynchronize(events_[i]), "cudaEventSynchronize of mark " + std::to_string(i) + " for " + who);
      code = cudaEventElapsedTime(&ms, events_[i], calibration);
    }
    check_cuda(code, "cudaEventElapsedTime of mark " + std::to_string(i) + " for " + who);
    times[i] = host_ns - std::llround(static_cast<double>(ms) * 1e6);
  }
  return times;
}

}  // namespace spstudio::sp::cuda
