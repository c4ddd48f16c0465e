// SPDX-License-Identifier: Apache-2.0
// Compiled only against a CUDA LibTorch (SPSTUDIO_TORCH_CUDA).
#include "sp/cuda/torch_cuda_glue.h"

#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/current_stream.h"

namespace spstudio::sp::cuda {
namespace {

cudaStream_t torch_current_stream(int device) {
  return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream();
}

}  // namespace

void use_device(int device) {
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(device));
}

void use_torch_current_stream() {
  set_current_stream_fn(&torch_current_stream);
}

std::uint64_t peak_allocated_bytes(int device) {
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
  // [0]: the aggregate over the small and large pools (StatType::AGGREGATE, whose namespace moved
  // between LibTorch versions).
  return static_cast<std::uint64_t>(stats.allocated_bytes[0].peak);
}

void reset_peak_allocated_bytes(int device) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
}

std::uint64_t device_total_bytes(int device) {
  cudaDeviceProp properties{};
  check_cuda(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
  return static_cast<std::uint64_t>(properties.totalGlobalMem);
}

}  // namespace spstudio::sp::cuda
