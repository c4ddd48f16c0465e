// SPDX-License-Identifier: Apache-2.0
#include "device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <thread>

#include "cuda_support.h"
#include "worker_error.h"

namespace spstudio::workers {
namespace {

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size) : 0;
}

}  // namespace

DeviceChoice choose_device(DeviceRequest request, int rank, int world, int threads) {
  DeviceChoice c;
  c.intra_op_threads = threads > 0 ? threads : default_threads(std::thread::hardware_concurrency(), world);
  const bool cuda = request != DeviceRequest::Cpu && torch::cuda::is_available();
  if (request == DeviceRequest::Cuda && !cuda)
    throw WorkerError(wire::ExitCode::DeviceInit,
                      "--device cuda was requested but CUDA is not available (this LibTorch has no CUDA support or "
                      "no GPU is visible); use --device cpu or auto");
  if (cuda) {
    const auto count = static_cast<int>(torch::cuda::device_count());
    const int index = rank % count;
    c.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    c.name = "cuda:" + std::to_string(index);
    c.memory_bytes = cuda_device_memory_bytes(index);
    if (world == 1) {
      c.note = "CUDA device " + std::to_string(index) + " selected";
    } else if (world <= count && nccl_built()) {
      c.backend = "nccl";
      c.note = "CUDA device " + std::to_string(index) + " selected; collectives run over NCCL";
    } else {
      c.backend = "gloo";
      c.note = world > count ? std::to_string(world) + " ranks share " + std::to_string(count) +
                                   " GPU(s), and NCCL needs one GPU per rank: collectives run over Gloo, staging "
                                   "CUDA tensors through host memory (right results, not full speed)"
                             : "this spworker was built without NCCL: collectives run over Gloo, staging CUDA "
                               "tensors through host memory";
    }
    return c;
  }
  c.name = "cpu";
  c.backend = world == 1 ? "local" : "gloo";
  c.memory_bytes = physical_memory_bytes();
  return c;
}

void activate_device(const DeviceChoice& choice) {
  try {
    at::set_num_threads(choice.intra_op_threads);
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::DeviceInit,
                      "cannot use " + std::to_string(choice.intra_op_threads) + " intra-op threads: " + e.what());
  }
  if (!choice.device.is_cuda()) return;
  try {
    activate_cuda_device(choice.device.index());
  } catch (const std::exception& e) {
    throw WorkerError(wire::ExitCode::DeviceInit, "cannot use " + choice.name + ": " + e.what());
  }
}

}  // namespace spstudio::workers
