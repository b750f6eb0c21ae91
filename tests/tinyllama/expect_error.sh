#!/usr/bin/env bash
# Runs a command that must fail cleanly: the given exit code, and exactly one
# line on stderr matching REGEX (extended grep syntax).
# usage: expect_error.sh CODE REGEX -- COMMAND...
set -uo pipefail
code=$1 regex=$2
[[ $3 == -- ]] || { echo "usage: expect_error.sh CODE REGEX -- COMMAND..." >&2; exit 2; }
shift 3
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
rc=$?
fail=0
if [[ $rc != "$code" ]]; then
  echo "FAIL: exit code $rc, expected $code"
  fail=1
fi
lines=$(wc -l <"$err")
if [[ $lines != 1 ]]; then
  echo "FAIL: stderr has $lines lines, expected 1"
  fail=1
fi
if ! grep -qE -e "$regex" "$err"; then
  echo "FAIL: stderr does not match /$regex/"
  fail=1
fi
echo "stderr: $(cat "$err")"
exit $fail
