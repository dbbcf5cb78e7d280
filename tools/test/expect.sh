#!/usr/bin/env bash
# expect.sh EXIT_CODE REGEX -- COMMAND...
# Runs COMMAND; passes when it exits with EXIT_CODE and its combined output matches REGEX
# (extended regular expression; empty REGEX matches anything).
set -uo pipefail
expected_code="$1"; pattern="$2"; shift 2
[[ "$1" == "--" ]] && shift
output="$("$@" 2>&1)"
code=$?
echo "$output"
if [[ "$code" != "$expected_code" ]]; then
  echo "expect.sh: exit code $code, expected $expected_code" >&2
  exit 1
fi
if [[ -n "$pattern" ]] && ! grep -Eq -- "$pattern" <<<"$output"; then
  echo "expect.sh: output does not match /$pattern/" >&2
  exit 1
fi
exit 0
