// SPDX-License-Identifier: Apache-2.0
// Which device this rank computes on: CUDA device = local rank on a GPU machine (--device auto or
// cuda), else the CPU with a share of the machine's cores as intra-op threads.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "worker_args.h"

namespace spstudio::workers {

struct DeviceChoice {
  c10::Device device = c10::kCPU;
  std::string name;                ///< "cpu" or "cuda:1"
  std::uint64_t memory_bytes = 0;  ///< RAM on the CPU; 0 when unknown
  int intra_op_threads = 1;
  std::string note;  ///< something the supervisor should be told (a Log line), or empty
};

/// Decides without side effects. Throws WorkerError(DeviceInit) when CUDA is requested and absent
/// or has fewer devices than the rank needs.
DeviceChoice choose_device(DeviceRequest request, int rank, int world, int threads);

/// Applies the choice (intra-op threads; models are placed on choice.device explicitly).
/// Throws WorkerError(DeviceInit).
void activate_device(const DeviceChoice& choice);

}  // namespace spstudio::workers
