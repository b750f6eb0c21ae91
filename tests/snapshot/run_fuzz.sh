#!/usr/bin/env bash
# Bounded fuzzing of the snapshot reader, seeded with real snapshots.
#   run_fuzz.sh FUZZER GTS PROG.bc WORKDIR SECONDS
set -euo pipefail
fuzzer=$1 gts=$2 prog=$3 work=$4 seconds=$5
rm -rf "$work"
mkdir -p "$work/corpus"
"$gts" run "$prog" --state "$work/state" --sync-compile >/dev/null 2>&1
"$gts" run "$prog" --state "$work/state" >/dev/null 2>&1
cp "$work"/state/boot_*.snap "$work/corpus/"
"$fuzzer" "$work/corpus" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -n 15
