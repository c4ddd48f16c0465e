// SPDX-License-Identifier: Apache-2.0
// The GPU suite's main: refuses to pass vacuously. Without a CUDA device every test would skip, so
// the run fails instead, saying so (scripts/gpu/run.sh runs this on GPU boxes only).
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cstdio>

#if SPSTUDIO_TORCH_CUDA
#include "sp/cuda/torch_cuda_glue.h"
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const bool listing = ::testing::GTEST_FLAG(list_tests);
  if (!listing && !torch::cuda::is_available()) {
    std::fprintf(stderr,
                 "spstudio_gpu_tests: no CUDA device is visible (or this LibTorch has no CUDA): the GPU suite "
                 "runs only on a GPU box (scripts/gpu/run.sh)\n");
    return 1;
  }
#if SPSTUDIO_TORCH_CUDA
  spstudio::sp::cuda::use_torch_current_stream();
#endif
  return RUN_ALL_TESTS();
}
