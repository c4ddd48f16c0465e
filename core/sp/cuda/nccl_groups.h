// SPDX-License-Identifier: Apache-2.0
// NCCL communicators for sp::init_sp_groups: one per SP, Ulysses and ring group of two or more
// ranks, each with its own unique id under the group's store prefix.
#pragma once

#include <chrono>

#include "sp/comm/process_groups.h"

namespace spstudio::sp::cuda {

/// Every rank passes its own CUDA device; two ranks on one device cannot share an NCCL group.
CommunicatorFactory nccl_communicators(int device, std::chrono::milliseconds timeout);

}  // namespace spstudio::sp::cuda
