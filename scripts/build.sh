#!/usr/bin/env bash
# Configures and builds nicsim into ./build (Release, Ninja, ccache when present).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${NICSIM_BUILD_DIR:-$root/build}"
jobs="${NICSIM_JOBS:-$(nproc)}"
# verilate() keeps the files Verilator read in a generated .cmake that the build depends on; once
# a change removes one of them, Ninja stops ("missing and no known rule to make it") until that
# list is made again, which configuring does when the file is gone.
for deps in "$build_dir"/rtl/CMakeFiles/nicsim_rtl_core.dir/V*.dir/V*.cmake; do
  [ -f "$deps" ] || continue
  for file in $(sed -n 's/^set(V[A-Za-z_]*_DEPS \(.*\))$/\1/p' "$deps" | tr -d '"'); do
    if [ ! -e "$file" ]; then
      rm -f "$deps"
      break
    fi
  done
done
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${NICSIM_BUILD_TYPE:-Release}"
cmake --build "$build_dir" -j "$jobs"
