# LibTorch: Debian's 1.13 CPU build here; on a GPU box the LibTorch inside an installed PyTorch
# (pass -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')).
find_package(Torch REQUIRED)
message(STATUS "spstudio: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}")

# Everything that includes LibTorch shares one precompiled header, built once for the engine
# library and reused by every other LibTorch target (spstudio_use_torch_pch).
set(SPSTUDIO_TORCH_PCH "${PROJECT_SOURCE_DIR}/core/sp/torch_pch.h")

function(spstudio_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM spstudio_sp)
endfunction()

include(SpstudioCuda)
