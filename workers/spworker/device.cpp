// SPDX-License-Identifier: Apache-2.0
#include "device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <thread>

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
    if (rank >= count)
      throw WorkerError(wire::ExitCode::DeviceInit, "rank " + std::to_string(rank) + " needs CUDA device " +
                                                        std::to_string(rank) + " but only " + std::to_string(count) +
                                                        " are visible; start at most " + std::to_string(count) +
                                                        " workers or use --device cpu");
    c.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(rank));
    c.name = "cuda:" + std::to_string(rank);
    // NCCL comes with the GPU issue; until then CUDA ranks talk over Gloo (the TCPStore already
    // carries the rendezvous where the NCCL unique id will go).
    c.note = "CUDA device " + std::to_string(rank) + " selected; collectives still run over Gloo (NCCL follows)";
    return c;
  }
  c.name = "cpu";
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
}

}  // namespace spstudio::workers
