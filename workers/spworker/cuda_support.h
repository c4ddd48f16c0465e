// SPDX-License-Identifier: Apache-2.0
// The worker's CUDA side, kept behind one small interface so the rest of spworker compiles the same
// against a CPU LibTorch: whether NCCL was built in, switching a rank onto its GPU (LibTorch's
// current stream for the NCCL communicator, CUDA-event timing of profiling ranges), and the GPU's
// memory figures. Without a CUDA LibTorch (SPSTUDIO_TORCH_CUDA) nothing here is reachable: the
// device choice never picks CUDA, and the CUDA-only calls throw std::logic_error.
#pragma once

#include <cstdint>

namespace spstudio::workers {

/// Whether this spworker was built with NCCL (a CUDA LibTorch and the CUDA sources).
bool nccl_built();

/// Makes `device` current on this thread, has the NCCL communicator follow LibTorch's current
/// stream, and times profiling ranges with CUDA events on it.
void activate_cuda_device(int device);

/// Total memory of CUDA `device`.
std::uint64_t cuda_device_memory_bytes(int device);

/// Peak bytes LibTorch's allocator held on CUDA `device` since the process started.
std::uint64_t cuda_peak_memory_bytes(int device);

}  // namespace spstudio::workers
