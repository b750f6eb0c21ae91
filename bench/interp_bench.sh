#!/usr/bin/env bash
# interp_bench.sh [BUILD_DIR]: the tier 0 interpreter (gts run --tier=interp) against
# clang-19 -O3 native code and against lli-19 -force-interpreter, on small
# compute programs (bench/interp/*.c) and the tinyllama app.
# Table 1 (interp vs native) uses large inputs so native runs are not noise;
# table 2 (lli vs interp) uses small ones so lli finishes. Every C file is
# compiled with -ffp-contract=off (lli cannot run llvm.fmuladd); lli runs the
# -O0 -Xclang -disable-O0-optnone IR (it also aborts on llvm.umax in -O2 IR).
# Wall-clock medians of 3 runs in seconds, including IR parsing/translation.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
# The interpreter as the engine runs it: gts run --tier=interp.
gts=$build/engine/gts
[ -x "$gts" ] || { echo "interp_bench: build gts first ($gts)" >&2; exit 2; }
interp() { "$gts" run "$1" --tier=interp -- "${@:2}"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
big=("fib 35" "loops 1500" "matmul 500" "sieve 20000000")
small=("fib 27" "loops 200" "matmul 120" "sieve 1000000")

median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
seconds() { # seconds CMD...: wall time of one run (stdout and stderr dropped)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
run3() { median "$(seconds "$@")" "$(seconds "$@")" "$(seconds "$@")"; }
ratio() { echo "$1 / $2" | bc -l; }
geo() { echo "e(l($1) / $2)" | bc -l; }
cc=(clang-19 -w -std=c11 -ffp-contract=off)

build_prog() { # build_prog NAME SRC: native, -O0 IR and -O2 IR in $work
  "${cc[@]}" -O3 "$2" -o "$work/$1" -lm
  "${cc[@]}" -O0 -Xclang -disable-O0-optnone -S -emit-llvm "$2" -o "$work/$1.O0.ll"
  "${cc[@]}" -O2 -S -emit-llvm "$2" -o "$work/$1.O2.ll"
}
check() { # check NAME ARGS...: the interpreter prints what native prints
  local want
  want=$("$work/$1" "${@:2}" 2>/dev/null)
  for ir in O0 O2; do
    [ "$(interp "$work/$1.$ir.ll" "${@:2}" 2>/dev/null)" = "$want" ] ||
      { echo "interp_bench: $1 ($ir IR) output differs" >&2; exit 1; }
  done
}

for p in "${big[@]}"; do build_prog "${p%% *}" "$here/interp/${p%% *}.c"; done

echo "Table 1: interpreter vs clang -O3 native"
printf '%-16s %8s %8s %8s %10s %10s\n' program native 'int O0' 'int O2' 'O0/native' 'O2/native'
g0=1 g2=1 n=0
for p in "${big[@]}"; do
  set -- $p
  check "$1" "$2"
  tn=$(run3 "$work/$1" "$2")
  t0=$(run3 interp "$work/$1.O0.ll" "$2")
  t2=$(run3 interp "$work/$1.O2.ll" "$2")
  r0=$(ratio "$t0" "$tn") r2=$(ratio "$t2" "$tn")
  g0=$(echo "$g0 * $r0" | bc -l) g2=$(echo "$g2 * $r2" | bc -l) n=$((n + 1))
  printf '%-16s %8.3f %8.3f %8.3f %9.1fx %9.1fx\n' "$p" "$tn" "$t0" "$t2" "$r0" "$r2"
done
printf 'geomean: O0 IR %.1fx, O2 IR %.1fx slower than native\n' "$(geo "$g0" $n)" "$(geo "$g2" $n)"

# The shipped app: tinyllama on the bundled stories260K model.
models=$here/../apps/tinyllama/models
targs=("$models/stories260K.bin" -z "$models/tok512.bin" -t 0 -n 256 -i "Once upon a time")
build_prog tinyllama "$here/../apps/tinyllama/tinyllama.c"
check tinyllama "${targs[@]}"
tn=$(run3 "$work/tinyllama" "${targs[@]}")
t0=$(run3 interp "$work/tinyllama.O0.ll" "${targs[@]}")
t2=$(run3 interp "$work/tinyllama.O2.ll" "${targs[@]}")
printf '%-16s %8.3f %8.3f %8.3f %9.1fx %9.1fx\n' "tinyllama 256" "$tn" "$t0" "$t2" \
  "$(ratio "$t0" "$tn")" "$(ratio "$t2" "$tn")"

echo
echo "Table 2: lli-19 -force-interpreter vs the interpreter (same -O0 IR)"
printf '%-16s %8s %8s %10s\n' program lli 'int O0' 'lli/int'
gl=1 n=0
for p in "${small[@]}"; do
  set -- $p
  [ "$(lli-19 -force-interpreter "$work/$1.O0.ll" "$2" 2>/dev/null)" = "$("$work/$1" "$2")" ] ||
    { echo "interp_bench: lli fails on $1" >&2; exit 1; }
  tl=$(run3 lli-19 -force-interpreter "$work/$1.O0.ll" "$2")
  t0=$(run3 interp "$work/$1.O0.ll" "$2")
  rl=$(ratio "$tl" "$t0")
  gl=$(echo "$gl * $rl" | bc -l) n=$((n + 1))
  printf '%-16s %8.3f %8.3f %9.1fx\n' "$p" "$tl" "$t0" "$rl"
done
printf 'geomean: lli %.1fx slower than the interpreter\n' "$(geo "$gl" $n)"
