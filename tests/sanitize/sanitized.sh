#!/usr/bin/env bash
# sanitized.sh COMMAND...
# Runs COMMAND (built with -DGTS_SANITIZE=...) with sanitizers set to stop
# at the first report, passes its output through, and exits 66 if a
# sanitizer reported anything on stderr (even where the command's own exit
# status or a harness would hide it); otherwise exits with its status.
set -u
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:exitcode=66}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:exitcode=66}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" 2>"$log"
rc=$?
cat "$log" >&2
if grep -qE '(AddressSanitizer|LeakSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer)|runtime error: ' "$log"; then
  echo "sanitized.sh: sanitizer report from: $*" >&2
  exit 66
fi
exit $rc
