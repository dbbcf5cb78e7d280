#!/usr/bin/env bash
# Configures and builds nicsim into ./build (Release, Ninja, ccache when present).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${NICSIM_BUILD_DIR:-$root/build}"
jobs="${NICSIM_JOBS:-$(nproc)}"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${NICSIM_BUILD_TYPE:-Release}"
cmake --build "$build_dir" -j "$jobs"
