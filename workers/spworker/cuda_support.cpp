// SPDX-License-Identifier: Apache-2.0
#include "cuda_support.h"

#include <memory>
#include <stdexcept>

#if SPSTUDIO_TORCH_CUDA
#include "sp/cuda/cuda_event_timer.h"
#include "sp/cuda/torch_cuda_glue.h"
#include "sp/profiling/scoped_range.h"
#endif

namespace spstudio::workers {

#if SPSTUDIO_TORCH_CUDA

bool nccl_built() {
  return true;
}

void activate_cuda_device(int device) {
  sp::cuda::use_device(device);
  sp::cuda::use_torch_current_stream();
  sp::RangeRecorder::instance().set_device_timer(std::make_shared<sp::cuda::CudaEventTimer>(device));
}

std::uint64_t cuda_device_memory_bytes(int device) {
  return sp::cuda::device_total_bytes(device);
}

std::uint64_t cuda_peak_memory_bytes(int device) {
  return sp::cuda::peak_allocated_bytes(device);
}

#else

namespace {
[[noreturn]] void no_cuda() {
  throw std::logic_error("this spworker was built against a LibTorch without CUDA");
}
}  // namespace

bool nccl_built() {
  return false;
}
void activate_cuda_device(int) {
  no_cuda();
}
std::uint64_t cuda_device_memory_bytes(int) {
  no_cuda();
}
std::uint64_t cuda_peak_memory_bytes(int) {
  no_cuda();
}

#endif

}  // namespace spstudio::workers
