// SPDX-License-Identifier: Apache-2.0
// check_cuda and the device checks: CUDA's error codes turned into exceptions that say which
// operation failed, so a failure on a GPU box reads as a sentence rather than a number.
#include "sp/cuda/cuda_checks.h"

namespace spstudio::sp::cuda {
namespace {

std::string describe(const std::string& what, cudaError_t code) {
  // Both lookups are plain tables in the runtime: they work without a driver or a GPU.
  return what + ": " + cudaGetErrorName(code) + ": " + cudaGetErrorString(code);
}

}  // namespace

CudaError::CudaError(const std::string& what, cudaError_t code)
    : std::runtime_error(describe(what, code)), code_(code) {}

void check_cuda(cudaError_t code, const std::string& what) {
  if (code == cudaSuccess) return;
  // A non-sticky error stays in the runtime's last-error slot and would be reported again by the
  // next unrelated cudaGetLastError / cudaPeekAtLastError; this one is reported here, so clear it.
  (void)cudaGetLastError();
  throw CudaError(what, code);
}

int visible_cuda_devices() {
  int count = 0;
  const cudaError_t code = cudaGetDeviceCount(&count);
  if (code != cudaSuccess) {
    // cudaErrorNoDevice / cudaErrorInsufficientDriver on machines without a GPU: an answer, not a
    // failure. Clear it so it does not surface in a later check.
    (void)cudaGetLastError();
    return 0;
  }
  return count;
}

void require_cuda_device(int device, const std::string& who) {
  const int count = visible_cuda_devices();
  if (device >= 0 && device < count) return;
  std::string message = who + " needs CUDA device " + std::to_string(device) + ", but this process sees " +
                        std::to_string(count) + " CUDA device" + (count == 1 ? "" : "s");
  if (count == 0)
    message += " (no driver or no GPU)";
  else
    message += " (CUDA_VISIBLE_DEVICES limits which ones)";
  throw CudaError(message, count == 0 ? cudaErrorNoDevice : cudaErrorInvalidDevice);
}

DeviceGuard::DeviceGuard(int device, const std::string& who) : device_(device) {
  check_cuda(cudaGetDevice(&previous_), who + ": cudaGetDevice");
  if (previous_ != device_)
    check_cuda(cudaSetDevice(device_), who + ": cudaSetDevice(" + std::to_string(device_) + ")");
}

DeviceGuard::~DeviceGuard() {
  // Nothing useful can be done about a failure here (and a destructor must not throw).
  if (previous_ != device_) static_cast<void>(cudaSetDevice(previous_));
}

}  // namespace spstudio::sp::cuda
