// SPDX-License-Identifier: Apache-2.0
// What only a CUDA LibTorch can answer, for the CUDA-only engine code and the workers. Compiled
// only when SPSTUDIO_TORCH_CUDA (SpstudioCuda.cmake).
#pragma once

#include <cstdint>

namespace spstudio::sp::cuda {

/// Makes `device` this thread's current CUDA device (LibTorch's and the runtime's).
void use_device(int device);

/// Makes cuda::current_stream return LibTorch's current stream (call once per process, before
/// creating NCCL communicators or event timers).
void use_torch_current_stream();

/// LibTorch's caching allocator on `device`: the peak of allocated bytes since the last reset.
std::uint64_t peak_allocated_bytes(int device);
void reset_peak_allocated_bytes(int device);
/// Total memory of `device`, for the workers' Hello.
std::uint64_t device_total_bytes(int device);

}  // namespace spstudio::sp::cuda
