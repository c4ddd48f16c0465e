#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds SP Studio against the LibTorch inside the box's PyTorch (CUDA), runs the GPU test suite
# and the engine's CPU tests, then the benchmarks: spstudio-bench-flux at the FLUX.1-dev size,
# diffusers' eager FluxTransformer2DModel on the same weights and inputs (eager_reference.py), and
# spstudio-cli bench when the CLI was built. See scripts/gpu/README.md.
#
#   scripts/gpu/run.sh [--quick] [--steps deps,configure,build,tests,bench] [--build-dir DIR]
#
#   --quick      build only the GPU tests and the Flux benchmark, skip the CPU suite and the CLI
#                bench, and time 5 iterations instead of 10
#   --steps      run only these steps, in this order (default: all). A later call on the same box
#                reuses the build directory, so the work can be split across commands that each fit
#                a time limit: `--steps deps,configure,build`, then `--steps tests`, then `--steps bench`
#
# Needs python3 with torch (CUDA) and its NCCL wheel, a CUDA toolkit (nvcc), cmake and ninja. The
# Debian packages that fetch_deps.sh put in .gpu-deps/debs are unpacked into .gpu-deps/root (never
# into /); without them the system's Qt, GoogleTest and nlohmann-json are used, if any.
# Logs and JSON go to ${OUT:-build/gpu-results} (7 files: the device tool returns at most 8); the
# summary table comes last on stdout. Exits non-zero when any step failed.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root" || exit 1

quick=0
steps="deps,configure,build,tests,bench"
build_dir=build/gpu
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --steps) steps=${2:?--steps needs a list}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a folder}; shift ;;
    -h | --help) sed -n '3,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

python=${PYTHON:-python3}
out_dir=${OUT:-build/gpu-results}
mkdir -p "$out_dir" "$build_dir"
out_dir=$(cd "$out_dir" && pwd)
build_dir=$(cd "$build_dir" && pwd)
deps_root="$repo_root/.gpu-deps/root"
multiarch="$(uname -m)-linux-gnu"
deps_lib="$deps_root/usr/lib/$multiarch"
build_log="$out_dir/build.log"
tests_log="$out_dir/tests.log"
bench_log="$out_dir/bench.log"
failed=()
notes=()

section() { printf '\n== %s\n' "$*"; }
note() {
  echo "$*"
  notes+=("$*")
}
fail() {
  echo "FAILED: $*"
  failed+=("$*")
}
# run_logged LOG COMMAND...: appends the command and its output to LOG; on failure shows the tail.
run_logged() {
  local log=$1
  shift
  printf '\n$ %s\n' "$*" >>"$log"
  "$@" >>"$log" 2>&1 && return 0
  local rc=$?
  echo "--- last lines of $(basename "$log"):"
  tail -n 25 "$log"
  return "$rc"
}
# Our binaries (and moc during the build) load the carried Qt/ICU/GLib from .gpu-deps/root; Python
# never sees that path, so torch keeps the system's libraries.
with_deps_env() {
  if [[ -d $deps_lib ]]; then
    LD_LIBRARY_PATH="$deps_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
  else
    "$@"
  fi
}

# ---- deps: unpack the carried Debian packages into .gpu-deps/root ------------------------------
unpack_deps() {
  section "carried packages -> .gpu-deps/root"
  shopt -s nullglob
  local debs=("$repo_root"/.gpu-deps/debs/*.deb)
  shopt -u nullglob
  if ((${#debs[@]} == 0)); then
    note "no .gpu-deps/debs/*.deb: using the system's Qt, GoogleTest and nlohmann-json (run fetch_deps.sh to carry them)"
    return 0
  fi
  local stamp="$deps_root/.unpacked" wanted
  wanted=$(printf '%s\n' "$deps_root" "${debs[@]##*/}")
  if [[ -f $stamp && "$(cat "$stamp")" == "$wanted" ]]; then
    echo "already unpacked (${#debs[@]} packages)"
  else
    rm -rf "$deps_root"
    mkdir -p "$deps_root"
    local deb
    for deb in "${debs[@]}"; do
      if command -v dpkg-deb >/dev/null; then
        dpkg-deb -x "$deb" "$deps_root" || { fail "unpacking $deb"; return 1; }
      else  # a .deb is an ar archive whose data.tar.* holds the files
        local member tmp
        tmp=$(mktemp -d)
        if ! member=$(ar t "$deb" | grep '^data\.tar') || ! (cd "$tmp" && ar x "$deb" "$member") ||
          ! tar -xf "$tmp/$member" -C "$deps_root"; then
          rm -rf "$tmp"
          fail "unpacking $deb"
          return 1
        fi
        rm -rf "$tmp"
      fi
    done
    # Absolute links (libz.so -> /lib/.../libz.so.1.2.13) would point into the box's /: re-point
    # them at the carried file.
    local link target
    while IFS= read -r -d '' link; do
      target=$(readlink "$link")
      if [[ $target == /* && -e $deps_root$target ]]; then
        ln -sfn "$deps_root$target" "$link"
      elif [[ $target == /* ]]; then
        echo "warning: $link points to $target, which is not carried"
      fi
    done < <(find "$deps_root" -type l -print0)
    echo "$wanted" >"$stamp"
    echo "unpacked ${#debs[@]} packages"
  fi
}

# Whether the carried (or system) Qt can build and run the app side: moc runs and Qt's libraries
# resolve every dependency on this system.
qt_usable() {
  local moc="$deps_root/usr/lib/qt6/libexec/moc"
  [[ -x $moc ]] || moc=/usr/lib/qt6/libexec/moc
  if ! with_deps_env "$moc" --version >/dev/null 2>&1; then
    note "Qt: moc does not run ($moc)"
    return 1
  fi
  local lib missing=""
  for lib in libQt6Core.so.6 libQt6Network.so.6 libQt6Test.so.6; do
    local path="$deps_lib/$lib"
    [[ -e $path ]] || path="/usr/lib/$multiarch/$lib"
    [[ -e $path ]] || { missing+=" $lib"; continue; }
    missing+=$(with_deps_env ldd "$path" | awk '/not found/ {printf " %s", $1}')
  done
  if [[ -n $missing ]]; then
    note "Qt: missing libraries:$missing"
    return 1
  fi
  return 0
}

# ---- configure ----------------------------------------------------------------------------------
# The CUDA toolkit (CUDA_HOME, else nvcc's prefix, else /usr/local/cuda) and NCCL (NCCL_HOME, else
# the nvidia-nccl wheel beside torch: include/nccl.h, lib/libnccl.so.2), exported for CMake and for
# LibTorch's CMake files; the build step needs them too when CMake re-runs.
cuda_root="" nccl_home=""
toolchain_env() {
  [[ -n $cuda_root ]] && return 0
  local nvcc
  nvcc=$(command -v nvcc || true)
  cuda_root=${CUDA_HOME:-${nvcc:+$(dirname "$(dirname "$(readlink -f "$nvcc")")")}}
  cuda_root=${cuda_root:-/usr/local/cuda}
  [[ -x $cuda_root/bin/nvcc ]] || { fail "no nvcc in $cuda_root/bin (set CUDA_HOME)"; return 1; }
  nccl_home=${NCCL_HOME:-$("$python" - <<'EOF'
import glob, os
try:
    import nvidia
    for base in nvidia.__path__:
        for header in glob.glob(os.path.join(base, "**", "include", "nccl.h"), recursive=True):
            print(os.path.dirname(os.path.dirname(header)))
            raise SystemExit
except ImportError:
    pass
EOF
)}
  export CUDA_HOME=$cuda_root PATH="$cuda_root/bin:$PATH" TORCH_CUDA_ARCH_LIST=9.0
  if [[ -n $nccl_home ]]; then export NCCL_HOME=$nccl_home; fi
}

configure() {
  section "configure ($build_dir)"
  local torch_prefix app=ON
  toolchain_env || return 1
  torch_prefix=$("$python" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)') ||
    { fail "configure: $python cannot import torch"; return 1; }
  "$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda,
    "GPU", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")' | tee -a "$build_log"
  echo "LibTorch: $torch_prefix" | tee -a "$build_log"
  echo "NCCL: ${nccl_home:-no wheel found, so the toolkit NCCL if any}; CUDA: $cuda_root" | tee -a "$build_log"
  qt_usable || app=OFF
  [[ $app == OFF ]] && note "the carried Qt cannot be used here: configuring without the app (no CLI, no app tests)"

  local args=(-S "$repo_root" -B "$build_dir" -G Ninja
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPSTUDIO_WERROR=OFF
    -DSPSTUDIO_BUILD_GUI=OFF -DSPSTUDIO_CUDA_SOURCES=ON
    -DCMAKE_CUDA_ARCHITECTURES=90 "-DCMAKE_CUDA_COMPILER=$cuda_root/bin/nvcc" "-DCUDAToolkit_ROOT=$cuda_root"
    "-DCMAKE_PREFIX_PATH=$torch_prefix;$deps_root/usr")
  [[ -n $nccl_home ]] && args+=("-DSPSTUDIO_NCCL_HINTS=$nccl_home/include;$nccl_home/lib")
  if ! run_logged "$build_log" with_deps_env cmake "${args[@]}" -DSPSTUDIO_BUILD_APP="$app"; then
    if [[ $app == ON ]]; then
      note "configuring with the app failed: retrying with -DSPSTUDIO_BUILD_APP=OFF (no CLI, no app tests)"
      rm -f "$build_dir/CMakeCache.txt"
      app=OFF
      run_logged "$build_log" with_deps_env cmake "${args[@]}" -DSPSTUDIO_BUILD_APP=OFF ||
        { fail "configure"; return 1; }
    else
      fail "configure"
      return 1
    fi
  fi
  grep -E "spstudio: (LibTorch|CUDA sources)" "$build_log" | tail -n 2
}

# ---- build --------------------------------------------------------------------------------------
build() {
  section "build"
  [[ -f $build_dir/CMakeCache.txt ]] || { fail "build: not configured (run the configure step)"; return 1; }
  toolchain_env || return 1
  local targets=()
  ((quick)) && targets=(--target spstudio_gpu_tests spstudio-bench-flux)
  local start=$SECONDS
  run_logged "$build_log" with_deps_env cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}" ||
    { fail "build"; return 1; }
  echo "built in $((SECONDS - start)) s"
}

# ---- tests --------------------------------------------------------------------------------------
tests() {
  section "GPU tests (ctest -L gpu)"
  nvidia-smi -L 2>/dev/null | tee -a "$tests_log"
  run_logged "$tests_log" with_deps_env ctest --test-dir "$build_dir" -L gpu --output-on-failure --timeout 900 ||
    fail "GPU tests"
  grep -E "tests passed|No tests were found" "$tests_log" | tail -n 1
  ((quick)) && return 0
  section "CPU tests (ctest -LE gpu)"
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 run_logged "$tests_log" with_deps_env \
    ctest --test-dir "$build_dir" -LE gpu --output-on-failure --timeout 900 -j "$(($(nproc) / 2 > 0 ? $(nproc) / 2 : 1))" ||
    fail "CPU tests"
  grep -E "tests passed" "$tests_log" | tail -n 1
}

# The diffusers package for the eager reference: an unpacked .gpu-deps/python/diffusers, or the
# tarball fetch_deps.sh made, unpacked into the build folder once per commit.
diffusers_src() {
  if [[ -f $repo_root/.gpu-deps/python/diffusers/__init__.py ]]; then
    echo "$repo_root/.gpu-deps/python"
    return 0
  fi
  local tarball="$repo_root/.gpu-deps/python/diffusers-src.tar.xz" dest="$build_dir/diffusers-src"
  [[ -f $tarball ]] || return 1
  if [[ ! -f $dest/.commit ]] || ! cmp -s "$dest/.commit" "$repo_root/.gpu-deps/python/DIFFUSERS_COMMIT"; then
    rm -rf "$dest" && mkdir -p "$dest"
    "$python" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$tarball" "$dest" || return 1
    cp "$repo_root/.gpu-deps/python/DIFFUSERS_COMMIT" "$dest/.commit" 2>/dev/null || touch "$dest/.commit"
  fi
  echo "$dest"
}

# ---- bench --------------------------------------------------------------------------------------
bench() {
  local iterations=10 warmup=3
  ((quick)) && iterations=5 && warmup=2
  local bench_flux="$build_dir/tests/bench/spstudio-bench-flux"
  local weights="$build_dir/flux-dev-random"  # ~24 GB of bf16 weights, removed afterwards
  section "spstudio-bench-flux --config dev, 1024x1024, bf16"
  [[ -x $bench_flux ]] || { fail "bench: $bench_flux was not built"; return 1; }
  rm -rf "$weights"
  if run_logged "$bench_log" with_deps_env "$bench_flux" --config dev --height 1024 --width 1024 --text-tokens 512 \
    --device cuda --dtype bfloat16 --warmup "$warmup" --iterations "$iterations" --json "$out_dir/bench-flux.json" \
    --save-weights "$weights" --inputs-out "$weights/inputs.safetensors" --output-out "$weights/ours.safetensors"; then
    sed -n '/^Flux transformer/,/^peak memory/p' "$bench_log" | tail -n 12
  else
    fail "spstudio-bench-flux"
  fi

  section "eager reference (diffusers FluxTransformer2DModel, same weights and inputs)"
  local src
  if [[ ! -f $weights/ours.safetensors ]]; then
    note "eager reference skipped: the benchmark wrote no weights"
  elif ! src=$(diffusers_src); then
    note "eager reference skipped: no diffusers source in .gpu-deps/python (run fetch_deps.sh)"
  else
    PYTHONUNBUFFERED=1 run_logged "$bench_log" "$python" "$repo_root/scripts/gpu/eager_reference.py" \
      --weights "$weights" --inputs "$weights/inputs.safetensors" --ours "$weights/ours.safetensors" \
      --diffusers-src "$src" --warmup "$warmup" --iterations "$iterations" --json "$out_dir/eager.json" ||
      fail "eager reference"
    tail -n 3 "$bench_log"
  fi
  [[ -n ${KEEP_WEIGHTS:-} ]] || rm -rf "$weights"

  ((quick)) && return 0
  local cli="$build_dir/bin/spstudio-cli"
  section "spstudio-cli bench --device cuda --configs 1x1"
  if [[ ! -x $cli ]]; then
    note "CLI bench skipped: spstudio-cli was not built (no usable Qt)"
    return 0
  fi
  local cli_args=(bench --model builtin:tiny-flux --device cuda --dtype bfloat16 --configs 1x1 --height 1024
    --width 1024 --steps 4 --warmup 1 --repeat 3 --quiet --json "$out_dir/cli-bench.json")
  run_logged "$bench_log" with_deps_env "$cli" "${cli_args[@]}" || fail "spstudio-cli bench"
  tail -n 6 "$bench_log"
}

# ---- summary ------------------------------------------------------------------------------------
summary() {
  "$python" - "$out_dir" "$tests_log" <<'EOF'
import json, os, re, sys
out, tests_log = sys.argv[1], sys.argv[2]
def load(name):  # a JSON document, or the last line of a log holding JSON lines
    try:
        text = open(os.path.join(out, name)).read()
    except OSError:
        return None
    for candidate in (text, text.strip().splitlines()[-1] if text.strip() else ""):
        try:
            return json.loads(candidate)
        except ValueError:
            pass
    return None
rows = []
if os.path.exists(tests_log):
    for line in re.findall(r"\d+% tests passed, \d+ tests failed out of \d+", open(tests_log).read()):
        rows.append(("ctest", line))
ours, eager, cli = load("bench-flux.json"), load("eager.json"), load("cli-bench.json")
if ours:
    mfu = f"{100 * ours['mfu']:.1f}%" if ours.get("mfu") is not None else "-"
    rows += [("device", f"{ours['device_name']} (LibTorch {ours['torch_version']}, {ours['attention_kernel']})"),
             ("ours: step ms (median)", f"{ours['plain_ms']:.1f} ms, {ours['achieved_tflops']:.0f} TFLOP/s, MFU {mfu}"),
             ("ours: SP hooks at P=1", f"{ours['hooked_ms']:.1f} ms, ratio {ours['hook_ratio_median']:.4f}"),
             ("ours: peak memory", f"{ours['peak_memory_bytes'] / 2**30:.2f} GiB")]
if eager:
    line = f"{eager['median_ms']:.1f} ms, peak {eager['peak_memory_bytes'] / 2**30:.2f} GiB"
    if ours:
        line += f", ours is {eager['median_ms'] / ours['plain_ms']:.2f}x its speed"
        line += f", {ours['flops'] / (eager['median_ms'] * 1e-3) / 1e12:.0f} TFLOP/s"
    rows.append(("diffusers eager", line))
    if eager.get("max_abs_diff") is not None:
        rows.append(("ours vs eager", f"max |d| {eager['max_abs_diff']:.4g}, mean |d| {eager['mean_abs_diff']:.4g}, "
                                      f"mean |eager| {eager['mean_abs_reference']:.4g}"))
if cli:
    for c in cli.get("configs", []):
        rows.append((f"cli bench {c['config']} ({cli['model']})",
                     f"step {c['step_ms']['median']:.1f} ms, {c['images_per_s']:.3f} images/s, "
                     f"attention share {100 * c['time_share']['attention']:.0f}%"))
width = max((len(k) for k, _ in rows), default=0)
print("\n".join(f"{k:<{width}}  {v}" for k, v in rows) or "(no results)")
EOF
}

for step in ${steps//,/ }; do
  case "$step" in
    deps) unpack_deps ;;
    configure) configure ;;
    build) build ;;
    tests) tests ;;
    bench) bench ;;
    *) fail "unknown step $step" ;;
  esac
done

{
  section "summary"
  summary
  for n in "${notes[@]}"; do echo "note: $n"; done
  if ((${#failed[@]})); then
    echo "FAILED: ${failed[*]}"
  else
    echo "all steps passed ($steps)"
  fi
  echo "logs and JSON: $out_dir"
} | tee "$out_dir/summary.txt"
((${#failed[@]} == 0))
