# The CUDA side of the engine, in two layers:
#  - CUDA-only sources that need the CUDA runtime, NCCL and NVTX headers but no CUDA LibTorch (the
#    NCCL communicator, CUDA-event range timing): SPSTUDIO_CUDA_SOURCES. AUTO builds them whenever
#    the toolkit and NCCL are found, so the CPU development machines and CI compile (and unit-test
#    the device-free parts of) what otherwise only a GPU box would.
#  - Glue that needs a CUDA LibTorch (LibTorch's current stream, its allocator statistics):
#    SPSTUDIO_TORCH_CUDA, set when the LibTorch found was built with CUDA. Only then do the
#    workers use NCCL and CUDA events.
set(SPSTUDIO_CUDA_SOURCES AUTO CACHE STRING "Build the CUDA-only engine sources (NCCL, CUDA events): AUTO, ON or OFF")
set_property(CACHE SPSTUDIO_CUDA_SOURCES PROPERTY STRINGS AUTO ON OFF)

set(SPSTUDIO_TORCH_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA)
  set(SPSTUDIO_TORCH_CUDA ON)
endif()

set(SPSTUDIO_HAVE_CUDA_SOURCES OFF)
if(NOT SPSTUDIO_CUDA_SOURCES STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  # NCCL: the toolkit's prefix on the development machines; a pip wheel's nvidia/nccl folder (or
  # NCCL_HOME) on a GPU box with PyTorch. Wheels ship only libnccl.so.2.
  find_path(SPSTUDIO_NCCL_INCLUDE_DIR nccl.h
            HINTS "$ENV{NCCL_HOME}/include" ${CUDAToolkit_INCLUDE_DIRS} ${SPSTUDIO_NCCL_HINTS}
            DOC "Directory holding nccl.h")
  find_library(SPSTUDIO_NCCL_LIBRARY NAMES nccl libnccl.so.2
               HINTS "$ENV{NCCL_HOME}/lib" ${CUDAToolkit_LIBRARY_DIR} "${CUDAToolkit_LIBRARY_ROOT}/lib"
                     ${SPSTUDIO_NCCL_HINTS}
               PATH_SUFFIXES lib lib64
               DOC "libnccl")
  if(CUDAToolkit_FOUND AND SPSTUDIO_NCCL_INCLUDE_DIR AND SPSTUDIO_NCCL_LIBRARY)
    set(SPSTUDIO_HAVE_CUDA_SOURCES ON)
  elseif(SPSTUDIO_CUDA_SOURCES STREQUAL "ON")
    message(FATAL_ERROR "SPSTUDIO_CUDA_SOURCES=ON but the CUDA toolkit (${CUDAToolkit_FOUND}) or NCCL "
                        "(nccl.h: ${SPSTUDIO_NCCL_INCLUDE_DIR}, lib: ${SPSTUDIO_NCCL_LIBRARY}) was not found; "
                        "set CUDAToolkit_ROOT / NCCL_HOME or use SPSTUDIO_CUDA_SOURCES=AUTO")
  endif()
endif()
if(SPSTUDIO_TORCH_CUDA AND NOT SPSTUDIO_HAVE_CUDA_SOURCES)
  message(FATAL_ERROR "This LibTorch is built with CUDA but the CUDA toolkit or NCCL was not found: "
                      "set CUDAToolkit_ROOT and NCCL_HOME (pip wheels: site-packages/nvidia/nccl)")
endif()
message(STATUS "spstudio: CUDA sources ${SPSTUDIO_HAVE_CUDA_SOURCES} (NCCL ${SPSTUDIO_NCCL_LIBRARY}), "
               "CUDA LibTorch ${SPSTUDIO_TORCH_CUDA}")
