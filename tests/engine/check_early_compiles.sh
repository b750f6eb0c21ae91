#!/usr/bin/env bash
# check_early_compiles.sh GTS hot.bc OUTDIR
# A cold tiered run starts its compile thread before reading the app, on a
# CPU other than the app's when there is one: --stats says when it had
# warmed up (the tiered tests compile on it). With one CPU, or compiling in
# place, there is no such thread; the output is the same. An app that does
# not read ends with its one-line error and exit code while that thread
# warms up.
set -eu
gts=$1 bc=$2 out=$3
mkdir -p "$out"
cpus=$(nproc)
[ "$cpus" -ge 2 ] || { echo "needs 2 CPUs, this machine has $cpus"; exit 1; }
warm='^gts: compile thread: started before reading the app, warmed up at [0-9.]+ ms$'

"$gts" run "$bc" --stats >"$out/stdout" 2>"$out/stats"
cat "$out/stats"
grep -Eq "$warm" "$out/stats"
"$gts" run "$bc" --tier=O3 >"$out/expected"
cmp "$out/stdout" "$out/expected"
echo "cold tiered run: warmed up early, same output"

"$gts" run "$bc" --stats --sync-compile 2>"$out/sync" >/dev/null
! grep -Eq "$warm" "$out/sync"
taskset -c 0 "$gts" run "$bc" --stats >"$out/one.stdout" 2>"$out/one"
! grep -Eq "$warm" "$out/one"
cmp "$out/one.stdout" "$out/expected"
echo "in place or on one CPU: no early thread"

printf 'not IR\n' >"$out/bad.ll"
set +e
"$gts" run "$out/bad.ll" >"$out/bad.out" 2>"$out/bad.err"
rc=$?
set -e
cat "$out/bad.err"
[ "$rc" = 65 ] && [ "$(wc -l <"$out/bad.err")" = 1 ]
grep -q "^gts: error: $out/bad.ll:1: " "$out/bad.err"
echo "bad app: one line, exit 65"
