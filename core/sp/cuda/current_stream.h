// SPDX-License-Identifier: Apache-2.0
// The CUDA stream compute is enqueued on, as the CUDA-only engine code sees it. LibTorch owns that
// stream (at::cuda::getCurrentCUDAStream), but its accessor needs a CUDA LibTorch; this indirection
// lets the NCCL communicator and the event timer compile without one. torch_cuda_glue.cpp installs
// LibTorch's getter; until something does, the answer is the legacy default stream, which is what
// LibTorch uses when nobody has set a stream.
#pragma once

#include <cuda_runtime_api.h>

namespace spstudio::sp::cuda {

using CurrentStreamFn = cudaStream_t (*)(int device);

/// The stream compute on `device` runs on now.
cudaStream_t current_stream(int device);

/// Installs `fn` as the source of current_stream (nullptr restores the default).
void set_current_stream_fn(CurrentStreamFn fn);

}  // namespace spstudio::sp::cuda
