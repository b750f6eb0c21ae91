#!/usr/bin/env bash
# same_code.sh [BUILD_DIR] [PROG]: whether `gts run --tier=O3` generates the
# same machine code as clang-19 -O3 for bench/progs/PROG.c (default nbody).
# Disassembles both objects (gts's through --dump-objects), drops addresses,
# encodings, relocation targets and symbol names, and diffs the instruction
# sequences of main. Prints the instruction counts and the diff's size;
# exit 0 when identical, 1 when not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
prog=${2:-nbody}
gts=$build/engine/gts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$here/progs/$prog.c
clang-19 -w -O3 -c "$src" -o "$work/native.o"
clang-19 -w -O0 -Xclang -disable-O0-optnone -emit-llvm -c "$src" -o "$work/app.bc"
mkdir "$work/objs"
"$gts" run "$work/app.bc" --tier=O3 --dump-objects="$work/objs" >/dev/null
# Instructions of the function holding main's code: mnemonic and operands,
# with addresses and symbol references blanked.
insns() { # insns OBJ SYMBOL_REGEX
  objdump -d --no-show-raw-insn "$1" |
    awk -v re="$2" '/^[0-9a-f]+ <.*>:$/ { on = ($2 ~ re) } on && /^ +[0-9a-f]+:/' |
    sed -E 's/^ +[0-9a-f]+:\s+//; s/<[^>]*>//g; s/\b[0-9a-f]{3,}\b/ADDR/g; s/#.*$//; s/\s+$//'
}
insns "$work/native.o" '^<main>:$' >"$work/native.s"
# gts names a body __gts_f<ID>_<tier>_b<boot>_<unit>, ID being the function's index
# among the module's definitions.
id=$(llvm-dis-19 "$work/app.bc" -o - | grep '^define' | grep -n '@main(' |
  cut -d: -f1)
gts_main=__gts_f$((id - 1))_O3_b0_0
unit=$(for o in "$work"/objs/*.o; do
  nm --defined-only "$o" | grep -q " $gts_main\$" && echo "$o"
done | head -1)
insns "$unit" "^<$gts_main>:\$" >"$work/gts.s"
echo "$prog: clang-19 -O3 main: $(wc -l <"$work/native.s") instructions;" \
  "gts --tier=O3 $gts_main: $(wc -l <"$work/gts.s") instructions"
if diff -u "$work/native.s" "$work/gts.s" >"$work/diff"; then
  echo "$prog: identical instruction sequences"
else
  echo "$prog: $(grep -c '^[-+][^-+]' "$work/diff") differing lines"
  head -40 "$work/diff"
  exit 1
fi
