#!/usr/bin/env bash
# expect_exit.sh CODE REGEX -- COMMAND...
# COMMAND exits with CODE and prints exactly one line on stderr matching REGEX.
set -u
code=$1 regex=$2
shift 3
err=$("$@" 2>&1 >/dev/null)
rc=$?
lines=$(printf '%s' "$err" | grep -c '')
if [ "$rc" -ne "$code" ] || [ "$lines" -ne 1 ] || ! grep -Eq -- "$regex" <<<"$err"; then
  echo "FAIL: exit $rc (want $code), $lines stderr lines (want 1), regex '$regex'"
  echo "stderr: $err"
  exit 1
fi
echo "ok: exit $rc: $err"
