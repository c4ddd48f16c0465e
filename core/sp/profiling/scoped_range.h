// SPDX-License-Identifier: Apache-2.0
// Profiling ranges (DESIGN.md "Profiling"): ScopedRange pushes an NVTX range in the `spstudio`
// domain (when built with NVTX headers; nsys sees it) and records begin/end on the host steady
// clock into the process's RangeRecorder, which the worker drains after each step and sends as
// StringDef + Ranges. Recording is off until enabled, so library code can be instrumented freely.
// With a DeviceTimer installed (a GPU worker), every recorded range is also timed on the device and
// taken as a second range on the timer's stream (device_timer.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/wire/messages.h"
#include "sp/profiling/device_timer.h"

namespace spstudio::sp {

/// Host steady clock in ns; the same clock in every process of the machine (CLOCK_MONOTONIC).
std::int64_t steady_now_ns();

/// A closed range and the thread that recorded it (RangeRecorder::current_thread()). A worker has
/// one compute thread per process; tests that run several ranks as threads of one process tell the
/// ranks apart by it.
struct ThreadRange {
  std::uint32_t thread = 0;
  wire::RangeRecord record;
};

class RangeRecorder {
 public:
  static RangeRecorder& instance();

  void set_enabled(bool enabled);
  bool enabled() const;

  /// The id of `name` (registered on first use; ids are stable for the process).
  std::uint32_t intern(const char* name);
  /// Names registered since the last call, to send as StringDef before the Ranges that use them.
  std::vector<std::pair<std::uint32_t, std::string>> take_new_names();
  /// Ranges closed since the last call: the host ranges (stream 0) in the order they closed, then,
  /// with a device timer, the device ranges of those that were marked on it (stream =
  /// timer->stream_id(), same name, depth and thread, device times on the host clock), also in
  /// closing order. Resolving the device ranges waits for the device to pass their last mark (one
  /// DeviceTimer::resolve per call, none when no device range is pending). A range still open at
  /// the resolve, or open across clear() or a timer change, gets no device range (its marks fall
  /// in different resolves). Throws the first error a device mark or resolve met since the last
  /// take (e.g. cuda::CudaError; ScopedRange never throws it); host ranges then stay for the next.
  std::vector<wire::RangeRecord> take_ranges();
  /// take_ranges() with the recording thread of each range.
  std::vector<ThreadRange> take_thread_ranges();
  /// This thread's number in ThreadRange::thread (0, 1, ... in order of first use in the process).
  static std::uint32_t current_thread();
  /// Drops recorded ranges (e.g. after a cancelled step), pending device ranges and a pending
  /// device error too, and resolves the device timer so its mark indices restart. Never throws a
  /// timer's error (the next take reports it), so destructors may call it.
  void clear();

  /// Installs the timer every recorded ScopedRange also marks its begin and end on; nullptr removes
  /// it. Device ranges pending on the previous timer are resolved first (kept for the next take).
  /// Throws std::invalid_argument for a timer whose stream_id() is 0 (the host ranges' stream).
  /// The timer is process-wide and marks the device's one compute stream, so it is meant for a
  /// worker (one compute thread per process); ranks run as threads of one process would all mark
  /// the same stream. Timer calls happen under the recorder's lock, so they are never concurrent.
  void set_device_timer(std::shared_ptr<DeviceTimer> timer);
  bool has_device_timer() const;

  // Used by ScopedRange. Depth counts per thread: push returns this thread's current depth and
  // nests one deeper; pop undoes that and records the range if recording is (still) on.
  std::uint16_t push();
  void pop(std::uint32_t name_id, std::int64_t begin_ns, std::int64_t end_ns, std::uint16_t depth);

  /// A range's begin mark on the device timer; epoch 0 = not marked (no timer, or the mark failed).
  struct DeviceMark {
    std::uint64_t epoch = 0;  ///< which resolve period the index counts in
    std::uint32_t index = 0;
  };
  /// Marks a range's begin on the device timer (after its host begin).
  DeviceMark mark_device_begin();
  /// pop for a range marked at `begin`: marks its end on the device timer, then reads the host end
  /// clock, and records the host range and the pending device range.
  void pop_marked(std::uint32_t name_id, std::int64_t begin_ns, std::uint16_t depth, DeviceMark begin);

 private:
  RangeRecorder() = default;

  /// A closed range whose device times are known after the next resolve.
  struct PendingDeviceRange {
    std::uint32_t thread = 0;
    std::uint32_t name_id = 0;
    std::uint32_t begin_mark = 0, end_mark = 0;
    std::uint16_t depth = 0;
  };
  /// Resolves pending_ on timer_ into `out` (with mutex_ held). May throw the timer's error.
  void resolve_pending_locked(std::vector<ThreadRange>& out);

  std::atomic<bool> enabled_{false};    // read without the lock: a disabled range takes no lock
  std::atomic<bool> has_timer_{false};  // likewise: without a timer, opening a range takes no lock
  mutable std::mutex mutex_;            // guards everything below; ranges may close on any thread
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::pair<std::uint32_t, std::string>> new_names_;
  std::vector<ThreadRange> ranges_;
  std::shared_ptr<DeviceTimer> timer_;
  /// Bumped whenever the timer's indices restart (resolve, clear) or the timer changes; a range
  /// whose begin mark is from an earlier epoch cannot pair its marks and gets no device range.
  std::uint64_t epoch_ = 1;
  std::vector<PendingDeviceRange> pending_;
  std::exception_ptr device_error_;  // the first failed mark or resolve since the last take
};

/// RAII range. Non-copyable, non-movable. `name` must outlive the process (use range_names).
class ScopedRange {
 public:
  explicit ScopedRange(const char* name);
  ~ScopedRange();
  ScopedRange(const ScopedRange&) = delete;
  ScopedRange& operator=(const ScopedRange&) = delete;

 private:
  const char* name_;
  std::int64_t begin_ns_ = 0;
  RangeRecorder::DeviceMark device_begin_;
  std::uint16_t depth_ = 0;
  bool recording_ = false;  // recording was on when the range opened
};

/// Peak resident memory of this process in bytes (VmHWM), for CPU workers' summaries.
std::uint64_t peak_host_memory_bytes();

}  // namespace spstudio::sp
