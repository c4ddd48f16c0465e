// SPDX-License-Identifier: Apache-2.0
// What the CUDA checks and the NCCL communicator do on a machine without a GPU (the development
// machines and CI): clear errors naming the group and the device, raised before NCCL or the store
// is touched. Whether a GPU is present is read from the driver's device nodes, not from the code
// under test, so the no-GPU expectations cannot pass vacuously.
#include <gtest/gtest.h>
#include <torch/csrc/distributed/c10d/HashStore.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "sp/cuda/cuda_checks.h"
#include "sp/cuda/nccl_communicator.h"
#include "sp/errors.h"

namespace spstudio::sp::cuda {
namespace {

/// True when this machine exposes an NVIDIA GPU to processes (Linux driver nodes, or WSL's).
bool gpu_device_node_present() {
  return std::filesystem::exists("/dev/nvidia0") || std::filesystem::exists("/dev/dxg");
}

#define SKIP_IF_A_GPU_IS_PRESENT() \
  if (gpu_device_node_present()) GTEST_SKIP() << "a GPU is present: the GPU suite covers the communicator there"

std::string cuda_error_text(const std::function<void()>& fn, cudaError_t* code = nullptr) {
  try {
    fn();
  } catch (const CudaError& e) {
    if (code) *code = e.code();
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not a CudaError) ") + e.what();
  }
  return "(no error)";
}

TEST(CheckCuda, PassesSuccessAndNamesTheOperationAndCudasErrorOtherwise) {
  EXPECT_NO_THROW(check_cuda(cudaSuccess, "x"));
  cudaError_t code = cudaSuccess;
  const std::string text = cuda_error_text([] { check_cuda(cudaErrorInvalidValue, "cudaMemcpyAsync for x"); }, &code);
  EXPECT_EQ(code, cudaErrorInvalidValue);
  EXPECT_EQ(text.rfind("cudaMemcpyAsync for x: ", 0), 0u) << text;
  EXPECT_NE(text.find("cudaErrorInvalidValue"), std::string::npos) << text;
  EXPECT_NE(text.find("invalid argument"), std::string::npos) << text;  // CUDA's description of the code
}

TEST(RequireCudaDevice, RefusesADeviceBeyondTheVisibleOnesNamingWhoAsked) {
  // Runs everywhere: the first device index past the visible ones never exists.
  const int count = visible_cuda_devices();
  ASSERT_GE(count, 0);
  const std::string text = cuda_error_text([&] { require_cuda_device(count, "SP group {0,1} at rank 1"); });
  EXPECT_NE(text.find("SP group {0,1} at rank 1 needs CUDA device " + std::to_string(count)), std::string::npos)
      << text;
  EXPECT_NE(text.find("sees " + std::to_string(count) + " CUDA device"), std::string::npos) << text;
  EXPECT_NE(cuda_error_text([] { require_cuda_device(-1, "w"); }).find("needs CUDA device -1"), std::string::npos);
}

TEST(NoGpu, NoCudaDeviceIsVisible) {
  SKIP_IF_A_GPU_IS_PRESENT();
  EXPECT_EQ(visible_cuda_devices(), 0);
  cudaError_t code = cudaSuccess;
  const std::string text = cuda_error_text([] { require_cuda_device(0, "who"); }, &code);
  EXPECT_EQ(code, cudaErrorNoDevice);
  EXPECT_NE(text.find("no driver or no GPU"), std::string::npos) << text;
}

TEST(NoGpu, NcclCommunicatorNamesTheGroupAndDeviceBeforeTouchingTheStore) {
  SKIP_IF_A_GPU_IS_PRESENT();
  auto store = c10::make_intrusive<c10d::HashStore>();
  NcclOptions options;
  options.device = 0;
  options.name = "ulysses group {0,1}";
  const std::string text = cuda_error_text([&] { NcclCommunicator communicator(store, 0, 2, options); });
  EXPECT_NE(text.find("ulysses group {0,1} at rank 0 needs CUDA device 0"), std::string::npos) << text;
  // Rank 0 publishes the unique id first thing once it passes the device check: it must not have.
  EXPECT_FALSE(store->check({"nccl_unique_id"}));
}

TEST(NoGpu, NcclCommunicatorAtANonZeroRankFailsWithoutWaitingForTheUniqueId) {
  SKIP_IF_A_GPU_IS_PRESENT();
  auto store = c10::make_intrusive<c10d::HashStore>();
  // Were the store read first, this rank would wait for rank 0's id and fail with a timeout
  // (CommunicationError) instead of the CudaError.
  store->setTimeout(std::chrono::milliseconds(200));
  NcclOptions options;
  options.device = 3;
  options.name = "ring group {2,3}";
  const std::string text = cuda_error_text([&] { NcclCommunicator communicator(store, 1, 2, options); });
  EXPECT_NE(text.find("ring group {2,3} at rank 1 needs CUDA device 3"), std::string::npos) << text;
}

TEST(NcclCommunicator, RefusesARankOutsideTheGroup) {
  auto store = c10::make_intrusive<c10d::HashStore>();
  EXPECT_THROW(NcclCommunicator(store, 2, 2, NcclOptions{}), std::invalid_argument);
  EXPECT_THROW(NcclCommunicator(store, -1, 2, NcclOptions{}), std::invalid_argument);
}

}  // namespace
}  // namespace spstudio::sp::cuda
