// SPDX-License-Identifier: Apache-2.0
#include "sp/cuda/nccl_groups.h"

#include "sp/cuda/nccl_communicator.h"

namespace spstudio::sp::cuda {

CommunicatorFactory nccl_communicators(int device, std::chrono::milliseconds timeout) {
  return [device, timeout](const c10::intrusive_ptr<c10d::Store>& store, int group_rank, int group_size,
                           const std::string& label) -> CommunicatorPtr {
    NcclOptions options;
    options.device = device;
    options.timeout = timeout;
    options.name = label;
    return std::make_shared<NcclCommunicator>(store, group_rank, group_size, options);
  };
}

}  // namespace spstudio::sp::cuda
