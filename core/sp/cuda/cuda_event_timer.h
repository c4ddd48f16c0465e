// SPDX-License-Identifier: Apache-2.0
// DeviceTimer over CUDA events. mark() records a pooled event on cuda::current_stream(device).
// resolve() waits for the last event, then maps every event to the host clock through a
// calibration event: recorded on the same stream after the marks and waited for (a spinning wait),
// its completion is "now" on the host (late by the wake-up latency, microseconds, so mapped times
// err late, never early), and cudaEventElapsedTime gives every mark's offset from it. It recalibrates at every resolve
// (once per step), so drift between the GPU and host clocks never accumulates and float milliseconds stay precise.
// Events are created lazily on `device` (the caller's current device is restored around every call)
// and reused step after step; the pool grows to the most marks one step made, plus the calibration.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sp/profiling/device_timer.h"

namespace spstudio::sp::cuda {

class CudaEventTimer final : public DeviceTimer {
 public:
  /// Throws cuda::CudaError when `device` is not a visible CUDA device, std::invalid_argument when
  /// stream_id is 0 (the host ranges' stream).
  explicit CudaEventTimer(int device, std::uint16_t stream_id = 1);
  ~CudaEventTimer() override;
  CudaEventTimer(const CudaEventTimer&) = delete;
  CudaEventTimer& operator=(const CudaEventTimer&) = delete;

  std::uint32_t mark() override;
  std::vector<std::int64_t> resolve() override;
  std::uint16_t stream_id() const override { return stream_id_; }

 private:
  int device_;
  std::uint16_t stream_id_;
  /// The pool's event `i`, created (with timing) when first needed.
  cudaEvent_t event(std::size_t i);

  std::vector<cudaEvent_t> events_;  // the pool; the first `used_` hold this step's marks
  std::size_t used_ = 0;
};

}  // namespace spstudio::sp::cuda
