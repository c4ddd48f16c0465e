#!/usr/bin/env bash
# The whole test suite: set up, check formatting, build, run every test (unit and multi-process)
# in the optimised build, then the unit tests again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== format"
./scripts/format.sh --check

echo "== build (default)"
./scripts/build.sh default
if [ -f /usr/local/cuda/include/nccl.h ] && [ ! -x build/default/tests/gpu/spstudio_gpu_tests ]; then
  echo "test.sh: the CUDA toolkit and NCCL are installed but the CUDA-only sources were not built" >&2
  exit 1
fi
echo "== tests (default: unit + multiprocess)"
ctest --preset default

echo "== build (asan)"
./scripts/build.sh asan
echo "== tests (asan: unit + multiprocess)"
ctest --preset asan

echo "== fuzz (wire frame decoder)"
./scripts/fuzz.sh 60
