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
echo "== tests (default: unit + multiprocess)"
ctest --preset default

echo "== build (asan)"
./scripts/build.sh asan
echo "== tests (asan: unit + multiprocess)"
ctest --preset asan

echo "== fuzz (wire frame decoder)"
./scripts/fuzz.sh 60
