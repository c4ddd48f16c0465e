#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Gathers what scripts/gpu/run.sh needs on a GPU box that has PyTorch, CUDA, CMake and ninja but no
# Qt, GoogleTest, nlohmann-json or libpng, no apt and no internet. Run it HERE (Debian 12, apt
# reachable). It fills .gpu-deps/ (ignored by git):
#   .gpu-deps/debs/*.deb                    Debian 12 packages, unpacked on the box with dpkg -x into
#                                           .gpu-deps/root (never into /)
#   .gpu-deps/python/diffusers-src.tar.xz   diffusers' source (src/diffusers), for the eager reference
#   .gpu-deps/python/DIFFUSERS_COMMIT       which commit that is
# and prints the total size: it travels with the working tree (64 MiB in all).
#
#   scripts/gpu/fetch_deps.sh [--no-diffusers]
#
# diffusers is in no Debian 12 package (there is no python3-diffusers) and this machine reaches no
# Python registry, so its source comes from a git repository:
#   DIFFUSERS_GIT_DIR=/path/to/diffusers.git   a clone or mirror (bare or not): HEAD is archived
#   DIFFUSERS_REF=<commit or tag>              archive that instead of HEAD
#   (neither)                                  git clone --depth 1 from GitHub (needs internet)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deps="$repo_root/.gpu-deps"
with_diffusers=1
for arg in "$@"; do
  case "$arg" in
    --no-diffusers) with_diffusers=0 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "fetch_deps.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# What the box lacks, and nothing more (apt-cache depends checked for each; the box is an Ubuntu
# 24.04-like image with glibc, libstdc++, zlib, zstd, libgomp, libffi, libmount, libselinux,
# libpcre2-8 and libcom-err already there, so those are not carried).
packages=(
  # Build: headers, CMake package files, moc/rcc (Qt6CoreTools checks every tool it lists exists,
  # qmake's wrapper from qmake6 included; the tools themselves run with the carried libQt6Core).
  qt6-base-dev qt6-base-dev-tools qmake6
  nlohmann-json3-dev
  libgtest-dev        # static libgtest.a/libgtest_main.a + GTestConfig.cmake
  # app/png. FindPNG also wants zlib's headers and libz.so, whose link points at zlib1g's file (it
  # lands in .gpu-deps/root/lib, off the run-time path: binaries load the box's own libz.so.1).
  libpng-dev zlib1g-dev zlib1g
  # Qt 6.4 run time for Core, Network and Test (the CLI, spworker's supervisor side, the app tests).
  libqt6core6 libqt6network6 libqt6test6
  libicu72 libdouble-conversion3 libpcre2-16-0 libb2-1 libglib2.0-0
  # libQt6Network's NEEDED entries beyond the base system: brotli, libproxy, GSSAPI (Kerberos).
  libbrotli1 libproxy1v5 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1 libssl3
  libpng16-16
)

mkdir -p "$deps/debs"
rm -f "$deps"/debs/*.deb
echo "downloading ${#packages[@]} Debian packages into .gpu-deps/debs ..."
# Sandbox user root: apt's _apt user may not write into the checkout.
(cd "$deps/debs" && apt-get download -q -o APT::Sandbox::User=root "${packages[@]}")

if [[ $with_diffusers == 1 ]]; then
  mkdir -p "$deps/python"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if [[ -n ${DIFFUSERS_GIT_DIR:-} ]]; then
    git_dir=$DIFFUSERS_GIT_DIR
  else
    echo "cloning diffusers (set DIFFUSERS_GIT_DIR to use a local clone instead) ..."
    git clone -q --depth 1 https://github.com/huggingface/diffusers "$tmp/diffusers" || {
      echo "fetch_deps.sh: cannot clone diffusers; set DIFFUSERS_GIT_DIR to a clone of" \
        "github.com/huggingface/diffusers, or pass --no-diffusers" >&2
      exit 1
    }
    git_dir="$tmp/diffusers"
  fi
  ref=${DIFFUSERS_REF:-HEAD}
  commit=$(git -C "$git_dir" rev-parse "$ref^{commit}")
  # The package alone (src/diffusers → diffusers/), xz-compressed: ~1.7 MB instead of ~26 MB.
  git -C "$git_dir" archive --format=tar "$commit:src" diffusers | xz -9 -T0 >"$deps/python/diffusers-src.tar.xz"
  echo "$commit" >"$deps/python/DIFFUSERS_COMMIT"
  echo "diffusers $commit -> .gpu-deps/python/diffusers-src.tar.xz"
fi

echo
du -ch "$deps"/debs/*.deb "$deps"/python/* 2>/dev/null | tail -1 | sed 's/total/total in .gpu-deps (carry it: it must stay well under 60 MiB)/'
