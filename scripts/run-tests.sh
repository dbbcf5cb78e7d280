#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test (the CI entry point).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build_dir="${NICSIM_BUILD_DIR:-$root/build}"
cd "$build_dir"
ctest --output-on-failure --no-tests=error -j "${NICSIM_JOBS:-$(nproc)}" --timeout 900
