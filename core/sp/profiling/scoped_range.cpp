// SPDX-License-Identifier: Apache-2.0
#include "sp/profiling/scoped_range.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#if SPSTUDIO_HAVE_NVTX
#include <nvtx3/nvToolsExt.h>
#endif

namespace spstudio::sp {
namespace {

// This thread's nesting depth. Per thread, so ranges closing on different threads (ranks run as
// threads in tests, a worker's reader thread) never shift each other's depths.
thread_local std::uint16_t t_depth = 0;

#if SPSTUDIO_HAVE_NVTX
// NVTX 3 is header-only: without a tool attached (nsys sets NVTX_INJECTION64_PATH) every call is a
// no-op after the first. Ranges are pushed whether or not the recorder is on, so nsys sees them.
nvtxDomainHandle_t nvtx_domain() {
  static const nvtxDomainHandle_t domain = nvtxDomainCreateA("spstudio");
  return domain;
}

nvtxStringHandle_t nvtx_string(const char* name) {
  // Names are static strings (range_names): one registration per name and thread, no lock.
  thread_local std::unordered_map<const char*, nvtxStringHandle_t> handles;
  const auto [it, inserted] = handles.try_emplace(name, nullptr);
  if (inserted) it->second = nvtxDomainRegisterStringA(nvtx_domain(), name);
  return it->second;
}

void nvtx_push(const char* name) {
  nvtxEventAttributes_t attributes{};
  attributes.version = NVTX_VERSION;
  attributes.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  attributes.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  attributes.message.registered = nvtx_string(name);
  nvtxDomainRangePushEx(nvtx_domain(), &attributes);
}

void nvtx_pop() {
  nvtxDomainRangePop(nvtx_domain());
}
#else
void nvtx_push(const char*) {}
void nvtx_pop() {}
#endif

/// The recorder's id of a static name string, cached per thread by address so a range takes the
/// recorder's lock once (to record), not twice.
std::uint32_t cached_id(const char* name) {
  thread_local std::unordered_map<const char*, std::uint32_t> ids;
  const auto [it, inserted] = ids.try_emplace(name, 0);
  if (inserted) it->second = RangeRecorder::instance().intern(name);
  return it->second;
}

}  // namespace

std::int64_t steady_now_ns() {
  // libstdc++'s steady_clock is clock_gettime(CLOCK_MONOTONIC) on Linux: one clock for every
  // process on the machine, so ranges from different worker processes share a time axis.
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RangeRecorder& RangeRecorder::instance() {
  static RangeRecorder recorder;
  return recorder;
}

void RangeRecorder::set_enabled(bool enabled) {
  enabled_.store(enabled, std::memory_order_relaxed);
}

bool RangeRecorder::enabled() const {
  return enabled_.load(std::memory_order_relaxed);
}

std::uint32_t RangeRecorder::intern(const char* name) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Ids start at 1, so a zero name_id on the wire is visibly unset.
  const auto [it, inserted] = ids_.try_emplace(name, static_cast<std::uint32_t>(ids_.size() + 1));
  if (inserted) new_names_.emplace_back(it->second, it->first);
  return it->second;
}

std::vector<std::pair<std::uint32_t, std::string>> RangeRecorder::take_new_names() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(new_names_, {});
}

std::vector<wire::RangeRecord> RangeRecorder::take_ranges() {
  std::vector<wire::RangeRecord> out;
  for (ThreadRange& r : take_thread_ranges())
    out.push_back(r.record);
  return out;
}

std::vector<ThreadRange> RangeRecorder::take_thread_ranges() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (device_error_) {
    // The marks of this period cannot all be trusted: drop its device ranges, report the error.
    pending_.clear();
    ++epoch_;
    std::rethrow_exception(std::exchange(device_error_, nullptr));
  }
  std::vector<ThreadRange> device;
  resolve_pending_locked(device);  // before taking the host ranges: if it throws, they stay
  std::vector<ThreadRange> out = std::exchange(ranges_, {});
  out.insert(out.end(), device.begin(), device.end());
  return out;
}

void RangeRecorder::resolve_pending_locked(std::vector<ThreadRange>& out) {
  if (pending_.empty() || !timer_) return;
  const std::vector<PendingDeviceRange> pending = std::exchange(pending_, {});
  ++epoch_;  // the timer's indices restart with this resolve, even if it throws
  const std::vector<std::int64_t> times = timer_->resolve();
  const std::uint16_t stream = timer_->stream_id();
  for (const PendingDeviceRange& p : pending) {
    if (p.begin_mark >= times.size() || p.end_mark >= times.size()) continue;  // a timer that lost marks
    ThreadRange r;
    r.thread = p.thread;
    r.record.name_id = p.name_id;
    r.record.begin_ns = times[p.begin_mark];
    r.record.end_ns = times[p.end_mark];
    r.record.depth = p.depth;
    r.record.stream = stream;
    out.push_back(r);
  }
}

std::uint32_t RangeRecorder::current_thread() {
  static std::atomic<std::uint32_t> next{0};
  thread_local const std::uint32_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine;
}

void RangeRecorder::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  ranges_.clear();
  pending_.clear();
  device_error_ = nullptr;
  ++epoch_;
  if (!timer_) return;
  try {
    timer_->resolve();  // discarded: only so the timer's indices restart
  } catch (...) {
    device_error_ = std::current_exception();  // reported by the next take, like a failed mark
  }
}

void RangeRecorder::set_device_timer(std::shared_ptr<DeviceTimer> timer) {
  if (timer && timer->stream_id() == 0)
    throw std::invalid_argument("a device timer needs a stream id other than 0 (stream 0 is the host's ranges)");
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    resolve_pending_locked(ranges_);  // the old timer's ranges join the host ranges of the next take
  } catch (...) {
    if (!device_error_) device_error_ = std::current_exception();
  }
  pending_.clear();
  ++epoch_;  // ranges open now were begun on the old timer (or none)
  timer_ = std::move(timer);
  has_timer_.store(timer_ != nullptr, std::memory_order_relaxed);
}

bool RangeRecorder::has_device_timer() const {
  return has_timer_.load(std::memory_order_relaxed);
}

std::uint16_t RangeRecorder::push() {
  return t_depth++;
}

void RangeRecorder::pop(std::uint32_t name_id, std::int64_t begin_ns, std::int64_t end_ns, std::uint16_t depth) {
  t_depth = depth;  // back to where this range's push found it
  if (!enabled()) return;
  ThreadRange r;
  r.thread = current_thread();
  r.record.name_id = name_id;
  r.record.begin_ns = begin_ns;
  r.record.end_ns = end_ns;
  r.record.depth = depth;
  std::lock_guard<std::mutex> lock(mutex_);
  ranges_.push_back(r);
}

RangeRecorder::DeviceMark RangeRecorder::mark_device_begin() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!timer_) return {};
  try {
    return {epoch_, timer_->mark()};
  } catch (...) {
    // Not thrown from here: a throwing constructor would leave the depth and NVTX range pushed.
    if (!device_error_) device_error_ = std::current_exception();
    return {};
  }
}

void RangeRecorder::pop_marked(std::uint32_t name_id, std::int64_t begin_ns, std::uint16_t depth, DeviceMark begin) {
  t_depth = depth;
  if (!enabled()) return;  // off now: no end mark; the begin mark is left unused
  ThreadRange r;
  r.thread = current_thread();
  r.record.name_id = name_id;
  r.record.begin_ns = begin_ns;
  r.record.depth = depth;
  std::lock_guard<std::mutex> lock(mutex_);
  if (timer_ && begin.epoch == epoch_) {
    try {
      PendingDeviceRange p;
      p.thread = r.thread;
      p.name_id = name_id;
      p.begin_mark = begin.index;
      p.end_mark = timer_->mark();  // before the host end, as the begin mark is after the host begin
      p.depth = depth;
      pending_.push_back(p);
    } catch (...) {
      if (!device_error_) device_error_ = std::current_exception();  // a destructor must not throw
    }
  }
  r.record.end_ns = steady_now_ns();
  ranges_.push_back(r);
}

ScopedRange::ScopedRange(const char* name) : name_(name) {
  nvtx_push(name);
  RangeRecorder& recorder = RangeRecorder::instance();
  if (!recorder.enabled()) return;  // off: no clock read, no lock
  recording_ = true;
  depth_ = recorder.push();
  begin_ns_ = steady_now_ns();
  if (recorder.has_device_timer()) device_begin_ = recorder.mark_device_begin();  // after the host begin
}

ScopedRange::~ScopedRange() {
  if (recording_) {
    RangeRecorder& recorder = RangeRecorder::instance();
    if (device_begin_.epoch != 0) {
      recorder.pop_marked(cached_id(name_), begin_ns_, depth_, device_begin_);  // reads the end clock
    } else {
      const std::int64_t end_ns = steady_now_ns();
      recorder.pop(cached_id(name_), begin_ns_, end_ns, depth_);
    }
  }
  nvtx_pop();
}

std::uint64_t peak_host_memory_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    std::uint64_t kib = 0;
    fields >> kib;  // "VmHWM:   123456 kB"
    return kib * 1024;
  }
  return 0;  // not Linux, or no /proc
}

}  // namespace spstudio::sp
