// SPDX-License-Identifier: Apache-2.0
// CudaEventTimer on a real GPU: marks map to the host steady clock (inside the host times that
// bracket them), and with the timer installed in the RangeRecorder a range around matmuls gets a
// device range as long as an independent pair of CUDA events says the work took, nested ranges
// nest in device time, and device ranges start no earlier than their host ranges (the work is
// enqueued after the host begin) and end after them (the host only launched it).
#include <ATen/ATen.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/cuda_event_timer.h"
#include "sp/cuda/current_stream.h"
#include "sp/profiling/scoped_range.h"

namespace spstudio::sp::cuda {
namespace {

constexpr int kDevice = 0;
constexpr std::int64_t kN = 4096;  // 4096² float matmuls: ~2 ms each on a recent GPU
constexpr const char* kOuter = "gpu_timing_outer";
constexpr const char* kInner = "gpu_timing_inner";

/// A timing CUDA event, destroyed with the test.
class Event {
 public:
  Event() { check_cuda(cudaEventCreate(&event_), "cudaEventCreate for the reference event"); }
  ~Event() { static_cast<void>(cudaEventDestroy(event_)); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  void record() { check_cuda(cudaEventRecord(event_, current_stream(kDevice)), "cudaEventRecord (reference)"); }
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

float elapsed_ms(const Event& begin, const Event& end) {
  float ms = 0;
  check_cuda(cudaEventElapsedTime(&ms, begin.get(), end.get()), "cudaEventElapsedTime (reference)");
  return ms;
}

/// Two operands and an output on the GPU, and `count` matmuls into the output (no allocation, so
/// nothing but the matmuls runs between the marks).
struct Matmuls {
  at::Tensor a = at::randn({kN, kN}, at::TensorOptions().device(at::kCUDA, kDevice));
  at::Tensor b = at::randn({kN, kN}, at::TensorOptions().device(at::kCUDA, kDevice));
  at::Tensor out = at::empty({kN, kN}, at::TensorOptions().device(at::kCUDA, kDevice));
  Matmuls() {
    run(1);  // warm-up: cuBLAS handle and workspace
    torch::cuda::synchronize(kDevice);
  }
  void run(int count) {
    for (int i = 0; i < count; ++i)
      at::mm_out(out, a, b);
  }
};

/// Recording on with `timer` installed for one test; off, removed and empty afterwards.
class TimedRecording {
 public:
  explicit TimedRecording(std::shared_ptr<DeviceTimer> timer) {
    RangeRecorder& recorder = RangeRecorder::instance();
    recorder.clear();
    recorder.set_device_timer(std::move(timer));
    recorder.set_enabled(true);
  }
  ~TimedRecording() {
    RangeRecorder& recorder = RangeRecorder::instance();
    recorder.set_enabled(false);
    recorder.set_device_timer(nullptr);
    recorder.clear();
  }
  TimedRecording(const TimedRecording&) = delete;
  TimedRecording& operator=(const TimedRecording&) = delete;
};

const wire::RangeRecord& find_range(const std::vector<ThreadRange>& ranges, const char* name, int stream) {
  const std::uint32_t id = RangeRecorder::instance().intern(name);
  for (const ThreadRange& r : ranges)
    if (r.thread == RangeRecorder::current_thread() && r.record.name_id == id && r.record.stream == stream)
      return r.record;
  throw std::runtime_error(std::string("no range ") + name + " on stream " + std::to_string(stream));
}

double ms(std::int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

TEST(CudaEventTimer, RejectsAnInvisibleDeviceAndStreamZero) {
  EXPECT_THROW(CudaEventTimer{visible_cuda_devices()}, CudaError);
  EXPECT_THROW(CudaEventTimer{-1}, CudaError);
  EXPECT_THROW((CudaEventTimer{kDevice, 0}), std::invalid_argument);
  EXPECT_EQ(CudaEventTimer{kDevice}.stream_id(), 1);
  EXPECT_EQ((CudaEventTimer{kDevice, 4}.stream_id()), 4);
}

TEST(CudaEventTimer, MarksMapIntoTheHostTimesAroundThemAndIndicesRestart) {
  Matmuls work;
  CudaEventTimer timer(kDevice);
  EXPECT_TRUE(timer.resolve().empty());  // no marks: nothing to wait for

  const std::int64_t before = steady_now_ns();
  EXPECT_EQ(timer.mark(), 0u);
  work.run(5);
  EXPECT_EQ(timer.mark(), 1u);
  work.run(2);  // after the last mark, so the host time after synchronising is well after it
  torch::cuda::synchronize(kDevice);
  const std::int64_t after = steady_now_ns();
  const std::vector<std::int64_t> times = timer.resolve();
  ASSERT_EQ(times.size(), 2u);
  EXPECT_GE(times[0], before);  // recorded after `before` was read, so it ran after it
  EXPECT_LT(times[0], times[1]);
  EXPECT_LE(times[1], after);
  // Five matmuls lie between the marks; two more lie between the second mark and `after`.
  EXPECT_GT(after - times[1], (times[1] - times[0]) / 5);

  EXPECT_EQ(timer.mark(), 0u);  // indices restart after a resolve
  EXPECT_EQ(timer.resolve().size(), 1u);
}

TEST(CudaEventTimer, TimerKeepsTheCallersCurrentDevice) {
  if (visible_cuda_devices() < 2) GTEST_SKIP() << "needs two CUDA devices";
  check_cuda(cudaSetDevice(1), "cudaSetDevice(1)");
  CudaEventTimer timer(kDevice);
  timer.mark();
  timer.resolve();
  int current = -1;
  check_cuda(cudaGetDevice(&current), "cudaGetDevice");
  EXPECT_EQ(current, 1);
  check_cuda(cudaSetDevice(kDevice), "cudaSetDevice(0)");
}

TEST(CudaEventTimer, DeviceRangesTimeTheWorkNestAndFollowTheHostRanges) {
  Matmuls work;
  Event reference_begin, reference_end;
  const TimedRecording recording(std::make_shared<CudaEventTimer>(kDevice));
  RangeRecorder& recorder = RangeRecorder::instance();
  {
    const ScopedRange outer(kOuter);
    reference_begin.record();
    work.run(10);
    {
      const ScopedRange inner(kInner);
      work.run(10);
    }
    reference_end.record();
  }
  work.run(3);  // after the ranges, so the host time after synchronising is well after them
  torch::cuda::synchronize(kDevice);
  const std::int64_t after_sync = steady_now_ns();
  const double reference_ms = elapsed_ms(reference_begin, reference_end);
  const std::vector<ThreadRange> ranges = recorder.take_thread_ranges();

  ASSERT_EQ(ranges.size(), 4u);  // outer and inner, each on the host and on the device
  const wire::RangeRecord host_outer = find_range(ranges, kOuter, 0);
  const wire::RangeRecord host_inner = find_range(ranges, kInner, 0);
  const wire::RangeRecord device_outer = find_range(ranges, kOuter, 1);
  const wire::RangeRecord device_inner = find_range(ranges, kInner, 1);
  EXPECT_EQ(device_outer.depth, 0);
  EXPECT_EQ(device_inner.depth, 1);

  // The device range measures the 20 matmuls, like the reference events just inside it.
  const double device_ms = ms(device_outer.end_ns - device_outer.begin_ns);
  ASSERT_GT(reference_ms, 1.0) << "20 matmuls of 4096² should take milliseconds";
  EXPECT_GE(device_ms / reference_ms, 0.5) << device_ms << " ms vs reference " << reference_ms << " ms";
  EXPECT_LE(device_ms / reference_ms, 2.0) << device_ms << " ms vs reference " << reference_ms << " ms";
  // The inner range holds half of them.
  const double inner_ms = ms(device_inner.end_ns - device_inner.begin_ns);
  EXPECT_GT(inner_ms / device_ms, 0.3);
  EXPECT_LT(inner_ms / device_ms, 0.7);

  // Mapped to the host clock: after the host began the range, before the host saw the work done,
  // and after the host range ended (the host only enqueued the matmuls).
  EXPECT_GE(device_outer.begin_ns, host_outer.begin_ns);
  EXPECT_LE(device_outer.end_ns, after_sync);
  EXPECT_GT(device_outer.end_ns, host_outer.end_ns);
  EXPECT_GE(device_inner.begin_ns, host_inner.begin_ns);

  // Nested in device time.
  EXPECT_GE(device_inner.begin_ns, device_outer.begin_ns);
  EXPECT_LE(device_inner.end_ns, device_outer.end_ns);
  EXPECT_LT(device_inner.begin_ns, device_inner.end_ns);
}

}  // namespace
}  // namespace spstudio::sp::cuda
