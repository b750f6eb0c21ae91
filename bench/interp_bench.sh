#!/usr/bin/env bash
# interp_bench.sh [BUILD_DIR]: tier 0 interpreter vs clang -O3 native vs
# lli-19 -force-interpreter on small compute programs (bench/interp/*.c).
# The interpreter runs clang-19 -O2 IR and -O0 IR (-disable-O0-optnone);
# lli runs the -O0 IR (it aborts on intrinsics such as llvm.umax in -O2 IR
# and on llvm.fmuladd, hence -ffp-contract=off everywhere).
# Wall-clock medians of 3 runs, in seconds, including IR parsing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
runner=$build/tests/interp/gts-interp-run
[ -x "$runner" ] || { echo "interp_bench: build gts-interp-run first ($runner)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
progs=("fib 30" "loops 300" "matmul 200" "sieve 2000000")

median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
seconds() { # seconds CMD...: wall time of one run (output discarded)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
run3() { median "$(seconds "$@")" "$(seconds "$@")" "$(seconds "$@")"; }

printf '%-14s %8s %8s %8s %8s %10s %10s %10s\n' program native 'lli O0' 'int O0' \
  'int O2' 'O2/native' 'O0/native' 'lli/int O0'
g2=1 g0=1 gl=1 n=0
for p in "${progs[@]}"; do
  set -- $p
  name=$1 arg=$2
  src=$here/interp/$name.c
  cc=(clang-19 -w -ffp-contract=off) # lli cannot run llvm.fmuladd
  "${cc[@]}" -O3 "$src" -o "$work/$name" -lm
  "${cc[@]}" -O2 -S -emit-llvm "$src" -o "$work/$name.O2.ll"
  "${cc[@]}" -O0 -Xclang -disable-O0-optnone -S -emit-llvm "$src" -o "$work/$name.O0.ll"
  want=$("$work/$name" "$arg")
  for ir in O0 O2; do
    [ "$("$runner" "$work/$name.$ir.ll" "$arg")" = "$want" ] ||
      { echo "interp_bench: $name ($ir IR) output differs" >&2; exit 1; }
  done
  tn=$(run3 "$work/$name" "$arg")
  [ "$(lli-19 -force-interpreter "$work/$name.O0.ll" "$arg" 2>/dev/null)" = "$want" ] ||
    { echo "interp_bench: lli fails on $name" >&2; exit 1; }
  tl=$(run3 lli-19 -force-interpreter "$work/$name.O0.ll" "$arg")
  t0=$(run3 "$runner" "$work/$name.O0.ll" "$arg")
  t2=$(run3 "$runner" "$work/$name.O2.ll" "$arg")
  r2=$(echo "$t2 / $tn" | bc -l) r0=$(echo "$t0 / $tn" | bc -l)
  rl=$(echo "$tl / $t0" | bc -l)
  g2=$(echo "$g2 * $r2" | bc -l) g0=$(echo "$g0 * $r0" | bc -l)
  gl=$(echo "$gl * $rl" | bc -l) n=$((n + 1))
  printf '%-14s %8.3f %8.3f %8.3f %8.3f %9.1fx %9.1fx %9.1fx\n' "$name $arg" \
    "$tn" "$tl" "$t0" "$t2" "$r2" "$r0" "$rl"
done
geo() { echo "e(l($1) / $n)" | bc -l; }
printf 'geomean: interp(O2 IR)/native %.1fx, interp(O0 IR)/native %.1fx, lli/interp(O0 IR) %.1fx\n' \
  "$(geo "$g2")" "$(geo "$g0")" "$(geo "$gl")"

# The shipped app: tinyllama (-O0 IR, as apps/tinyllama builds it) on the
# bundled stories260K model; lli is omitted (minutes per run).
models=$here/../apps/tinyllama/models
tl=$here/../apps/tinyllama/tinyllama.c
targs=("$models/stories260K.bin" -z "$models/tok512.bin" -t 0 -n 256 -i "Once upon a time")
cc=(clang-19 -w -std=c11 -ffp-contract=off)
"${cc[@]}" -O3 "$tl" -o "$work/tinyllama" -lm
"${cc[@]}" -O0 -Xclang -disable-O0-optnone -S -emit-llvm "$tl" -o "$work/tinyllama.O0.ll"
"${cc[@]}" -O2 -S -emit-llvm "$tl" -o "$work/tinyllama.O2.ll"
want=$("$work/tinyllama" "${targs[@]}" 2>/dev/null)
for ir in O0 O2; do
  [ "$("$runner" "$work/tinyllama.$ir.ll" "${targs[@]}" 2>/dev/null)" = "$want" ] ||
    { echo "interp_bench: tinyllama ($ir IR) output differs" >&2; exit 1; }
done
tn=$(run3 "$work/tinyllama" "${targs[@]}" 2>/dev/null)
t0=$(run3 "$runner" "$work/tinyllama.O0.ll" "${targs[@]}" 2>/dev/null)
t2=$(run3 "$runner" "$work/tinyllama.O2.ll" "${targs[@]}" 2>/dev/null)
printf 'tinyllama 256 tokens: native %.3f s, interp O0 IR %.3f s (%.1fx), interp O2 IR %.3f s (%.1fx)\n' \
  "$tn" "$t0" "$(echo "$t0 / $tn" | bc -l)" "$t2" "$(echo "$t2 / $tn" | bc -l)"
