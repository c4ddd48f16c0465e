#!/usr/bin/env bash
# The main job: set up, build, and run SP Studio. Until the window exists this is the headless
# engine demo: the test DiT under every Ulysses/Ring configuration on CPU ranks over Gloo,
# each compared with the single-process run. Extra arguments go to the demo (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh default >/dev/null
exec ./build/default/workers/spstudio-engine-demo "$@"
