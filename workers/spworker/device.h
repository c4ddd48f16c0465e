// SPDX-License-Identifier: Apache-2.0
// Which device this rank computes on, and which communicator its groups use. On a GPU machine
// (--device auto or cuda) rank k computes on CUDA device k mod the device count; with one GPU per
// rank the groups use NCCL, and when ranks share a GPU (NCCL cannot put two ranks of a group on one
// device) they use Gloo, staging CUDA tensors through host memory: slow, but multi-rank SP on CUDA
// stays testable on a one-GPU box. Otherwise the CPU, with a share of the cores as intra-op threads.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "worker_args.h"

namespace spstudio::workers {

struct DeviceChoice {
  c10::Device device = c10::kCPU;
  std::string name;                ///< "cpu" or "cuda:1"
  std::string backend = "local";   ///< the communicator of the SP groups: "local" (world 1), "gloo", "nccl"
  std::uint64_t memory_bytes = 0;  ///< RAM on the CPU, the GPU's memory on CUDA; 0 when unknown
  int intra_op_threads = 1;
  std::string note;  ///< something the supervisor should be told (a Log line), or empty
};

/// Decides without side effects. Throws WorkerError(DeviceInit) when CUDA is requested and absent.
DeviceChoice choose_device(DeviceRequest request, int rank, int world, int threads);

/// Applies the choice (intra-op threads; on CUDA the current device, LibTorch's stream for NCCL and
/// CUDA-event range timing; models are placed on choice.device explicitly).
/// Throws WorkerError(DeviceInit).
void activate_device(const DeviceChoice& choice);

}  // namespace spstudio::workers
