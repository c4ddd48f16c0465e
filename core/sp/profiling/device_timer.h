// SPDX-License-Identifier: Apache-2.0
// Device-side timing for ScopedRange. On a GPU the host only enqueues work, so a host clock around
// a kernel measures its launch. With a DeviceTimer installed in the RangeRecorder, every recorded
// ScopedRange also marks its begin and end on the device's compute stream (CUDA events in
// cuda::CudaEventTimer); the recorder resolves the marks when the ranges are taken after a step
// and records a second range with the device times, mapped to the host steady clock, on the
// timer's stream id. Host ranges stay on stream 0, so the timeline shows launch and execution.
// The recorder calls mark() and resolve() under its lock, so an implementation needs no lock of its
// own; the recorder holds one timer per process, for a worker's single compute thread.
#pragma once

#include <cstdint>
#include <vector>

namespace spstudio::sp {

class DeviceTimer {
 public:
  virtual ~DeviceTimer() = default;
  /// Marks "now" on the device's compute stream; returns the mark's index since the last resolve
  /// (0, 1, 2, ...). Called on the thread that enqueues compute, as its ScopedRanges open and close.
  /// May throw (the recorder keeps the error for its next take_ranges).
  virtual std::uint32_t mark() = 0;
  /// Host steady-clock ns (sp::steady_now_ns's clock) of every mark since the last resolve, by
  /// index. Waits until the device has passed the last mark; indices restart at 0 afterwards (also
  /// when it throws). With no marks it returns {} at once.
  virtual std::vector<std::int64_t> resolve() = 0;
  /// The stream id device ranges carry on the wire (wire::RangeRecord::stream), never 0.
  virtual std::uint16_t stream_id() const = 0;
};

}  // namespace spstudio::sp
