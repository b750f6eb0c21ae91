#!/usr/bin/env bash
# check_tiers.sh GTS APP.bc NATIVE [MODE...]
# The app prints the same and exits the same in every tier, in tiered runs
# (background and --sync-compile) and as a clang -O3 native build. Each MODE
# (one argument of space-separated gts options, "" for the tiered default)
# replaces that list of runs.
set -u
gts=$1 bc=$2 native=$3
shift 3
expected=$("$native"; echo "exit=$?")
fail=0
run_mode() {
  local got
  got=$("$gts" run "$bc" "$@"; echo "exit=$?")
  if [ "$got" != "$expected" ]; then
    echo "FAIL: gts run $bc $*"
    diff <(echo "$expected") <(echo "$got") | head -20
    fail=1
  fi
}
if [ $# -gt 0 ]; then
  # shellcheck disable=SC2086 # each mode is a list of options
  for mode in "$@"; do run_mode $mode; done
else
  for tier in interp O0 O1 O2 O3 Os Oz; do run_mode --tier=$tier; done
  run_mode
  run_mode --sync-compile
  run_mode --sync-compile --tier-thresholds=1,2,3,4
  # Loops compiled at once, functions interpreted: compiled code calls into
  # the interpreter through its JIT-built entries (variadic ones included).
  run_mode --sync-compile --loop-threshold=5 --tier-thresholds=100000,200000,300000,400000
  run_mode --cpu=host
fi
[ $fail -eq 0 ] && echo "identical output in every mode: $(echo "$expected" | head -1)"
exit $fail
