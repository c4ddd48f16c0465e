// SPDX-License-Identifier: Apache-2.0
// Profiling ranges (DESIGN.md "Profiling"): ScopedRange pushes an NVTX range in the `spstudio`
// domain (when built with NVTX headers; nsys sees it) and records begin/end on the host steady
// clock into the process's RangeRecorder, which the worker drains after each step and sends as
// StringDef + Ranges. Recording is off until enabled, so library code can be instrumented freely.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/wire/messages.h"

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
  /// Ranges closed since the last call, in the order they closed.
  std::vector<wire::RangeRecord> take_ranges();
  /// take_ranges() with the recording thread of each range.
  std::vector<ThreadRange> take_thread_ranges();
  /// This thread's number in ThreadRange::thread (0, 1, ... in order of first use in the process).
  static std::uint32_t current_thread();
  /// Drops recorded ranges (e.g. after a cancelled step).
  void clear();

  // Used by ScopedRange. Depth counts per thread: push returns this thread's current depth and
  // nests one deeper; pop undoes that and records the range if recording is (still) on.
  std::uint16_t push();
  void pop(std::uint32_t name_id, std::int64_t begin_ns, std::int64_t end_ns, std::uint16_t depth);

 private:
  RangeRecorder() = default;

  std::atomic<bool> enabled_{false};  // read without the lock: a disabled range takes no lock
  mutable std::mutex mutex_;          // guards everything below; ranges may close on any thread
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::pair<std::uint32_t, std::string>> new_names_;
  std::vector<ThreadRange> ranges_;
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
  std::uint16_t depth_ = 0;
  bool recording_ = false;  // recording was on when the range opened
};

/// Peak resident memory of this process in bytes (VmHWM), for CPU workers' summaries.
std::uint64_t peak_host_memory_bytes();

}  // namespace spstudio::sp
