#!/usr/bin/env bash
# verify_kernel.sh NICSIM OBJECT REGEX: `nicsim verify OBJECT --compare-kernel` must print a line
# matching REGEX. Exits 77 (CTest: skipped) when this kernel does not let us load programs.
set -uo pipefail
nicsim="$1" object="$2" pattern="$3"
output="$("$nicsim" verify "$object" --compare-kernel 2>&1)"
echo "$output"
if grep -q "kernel: not loaded" <<<"$output"; then
  echo "verify_kernel.sh: the kernel did not load the program: skipped" >&2
  exit 77
fi
grep -Eq -- "$pattern" <<<"$output"
