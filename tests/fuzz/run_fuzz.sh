#!/usr/bin/env bash
# Bounded libFuzzer run for CTest (see cmake/GtsFuzz.cmake).
# usage: run_fuzz.sh FUZZER WORKDIR SEEDS|"" [libFuzzer options...]
# Fails on a crash, sanitizer report, leak or timeout (libFuzzer's own exit
# status), on a missing or empty seed folder, and on a run that executed
# nothing. A crashing input is kept in WORKDIR/artifacts/.
set -uo pipefail
fuzzer=$1 work=$2 seeds=$3
shift 3
if [ -n "$seeds" ] && ! [ -n "$(ls -A "$seeds" 2>/dev/null)" ]; then
  echo "run_fuzz: seed corpus $seeds is missing or empty" >&2
  exit 1
fi
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
"$fuzzer" -seed=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" $seeds \
  >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "run_fuzz: $(basename "$fuzzer") failed (status $rc); input in $work/artifacts" >&2
  exit 1
fi
if [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
  tail -n 20 "$work/log"
  echo "run_fuzz: $(basename "$fuzzer") executed no input" >&2
  exit 1
fi
echo "$(basename "$fuzzer"): $runs executions, no crash"
