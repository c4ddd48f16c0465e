// SPDX-License-Identifier: Apache-2.0
// Readable failures of CUDA runtime calls: every call that can fail goes through check_cuda, whose
// error names the operation ("cudaEventRecord for ring hop timing") and CUDA's own words.
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace spstudio::sp::cuda {

/// A CUDA runtime call failed. what(): "<what>: <cudaGetErrorName>: <cudaGetErrorString>".
class CudaError : public std::runtime_error {
 public:
  CudaError(const std::string& what, cudaError_t code);
  cudaError_t code() const { return code_; }

 private:
  cudaError_t code_;
};

/// Throws CudaError unless `code` is cudaSuccess (and clears CUDA's sticky last error).
void check_cuda(cudaError_t code, const std::string& what);

/// The number of CUDA devices this process sees; 0 (not an error) without a driver or GPU.
int visible_cuda_devices();

/// Throws CudaError naming `who` when `device` is not a visible CUDA device ("NCCL group {0,1} at
/// rank 1 needs CUDA device 1, but this process sees 0 CUDA devices (no driver or no GPU)").
void require_cuda_device(int device, const std::string& who);

/// Makes `device` current for a scope and gives the caller its own current device back afterwards:
/// LibTorch and the rest of the engine keep their own idea of the current device. Throws CudaError
/// naming `who` when the switch fails; the restore cannot throw.
class DeviceGuard {
 public:
  DeviceGuard(int device, const std::string& who);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int device_;
  int previous_ = 0;
};

}  // namespace spstudio::sp::cuda
