#!/usr/bin/env bash
# Installs what is missing, builds, and runs the offload comparison on the bundled default
# program and traffic. Arguments go to `nicsim compare` (see `build/bin/nicsim compare --help`).
# NICSIM_SKIP_SETUP=1 skips installing and building (the CLI test of this script uses it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${NICSIM_SKIP_SETUP:-0}" != 1 ]]; then
  "$root/scripts/install-deps.sh"
  "$root/scripts/build.sh"
fi
build_dir="${NICSIM_BUILD_DIR:-$root/build}"
exec "$build_dir/bin/nicsim" compare "$@"
