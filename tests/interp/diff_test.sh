#!/usr/bin/env bash
# diff_test.sh RUNNER PROG.c O0|O2|Os WORKDIR [ARGS...]: runs PROG in the
# interpreter and natively (clang -O3); stdout and exit code must match.
# ARGS default to "a b".
set -u
runner=$1 src=$2 opt=$3 work=$4
shift 4
[ $# -gt 0 ] || set -- a b
name=$(basename "$src" .c)
mkdir -p "$work"
ll=$work/$name.$opt.ll exe=$work/$name.$opt.native
flags=(-$opt)
[ "$opt" = O0 ] && flags+=(-Xclang -disable-O0-optnone)
clang-19 -w -S -emit-llvm "${flags[@]}" "$src" -o "$ll" || exit 2
clang-19 -w -O3 "$src" -o "$exe" -lm || exit 2
"$exe" "$@" >"$work/$name.$opt.want" 2>/dev/null
want_rc=$?
"$runner" "$ll" "$@" >"$work/$name.$opt.got"
got_rc=$?
if ! cmp -s "$work/$name.$opt.want" "$work/$name.$opt.got"; then
  diff "$work/$name.$opt.want" "$work/$name.$opt.got" | head -20
  echo "FAIL: output differs"
  exit 1
fi
if [ "$want_rc" != "$got_rc" ]; then
  echo "FAIL: exit code $got_rc, native $want_rc"
  exit 1
fi
echo "ok: $name $opt ($(wc -l <"$work/$name.$opt.got") lines, rc $got_rc)"
