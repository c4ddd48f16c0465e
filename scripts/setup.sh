#!/usr/bin/env bash
# Installs every Debian 12 package SP Studio needs to build, run and test. Safe to run again:
# it only calls apt when something is missing. Needs root or sudo for the first run.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-format                        # the one formatting style (.clang-format)
  libtorch-dev libgloo-dev            # LibTorch 1.13 CPU with c10d (ProcessGroupGloo, TCPStore)
  libopenblas0-pthread                # a fast BLAS behind LibTorch (the default is the reference one)
  nlohmann-json3-dev                  # plan / manifest / config JSON
  qt6-base-dev libpng-dev             # the app: Qt Core/Network (supervisor, CLI), PNG output
  libqcustomplot-dev                  # the comparison plots (QCustomPlotQt6; Qt PrintSupport for PDF)
  fonts-dejavu-core xvfb xauth        # the window's text, and its tests under a virtual X server
  libsentencepiece-dev                # reference for the T5 tokenizer tests (spiece.model)
  libgtest-dev libgmock-dev           # tests
  clang libclang-rt-14-dev            # libFuzzer + sanitizers for the wire decoder fuzz target (scripts/fuzz.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
