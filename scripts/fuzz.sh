#!/usr/bin/env bash
# Fuzzes the wire frame decoder for a bounded time: ./scripts/fuzz.sh [seconds, default 60]
# Builds the `fuzz` preset (clang, libFuzzer, ASan + UBSan), seeds a corpus in a temporary
# directory (the repository is not written to) and fails on any crash, sanitizer report or
# exception other than ProtocolError. A crashing input is kept under build/fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
./build/fuzz/tests/fuzz/spstudio_fuzz_seeds "$work/corpus"

echo "fuzz: running the frame decoder for ${seconds} s"
status=0
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ./build/fuzz/tests/fuzz/spstudio_fuzz_frame_decoder "$work/corpus" \
  -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1 || status=$?

if [ "$status" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
  tail -n 80 "$work/log"
  mkdir -p build/fuzz/crashes
  cp -r "$work/artifacts/." build/fuzz/crashes/
  echo "fuzz: FAILED (exit $status); crashing inputs kept in build/fuzz/crashes/" >&2
  exit 1
fi
grep -E "^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb" "$work/log" || tail -n 5 "$work/log"
echo "fuzz: no crashes"
