#!/usr/bin/env bash
# Installs what is missing, builds, and runs the offload comparison on the bundled default
# program and traffic.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build_dir="${NICSIM_BUILD_DIR:-$root/build}"
exec "$build_dir/tools/nicsim" compare "$@"
