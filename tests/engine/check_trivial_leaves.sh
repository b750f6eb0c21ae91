#!/usr/bin/env bash
# check_trivial_leaves.sh GTS leaves.bc
# With the compile thread (the tiered default), a trivial leaf that only
# interpreted code calls stays interpreted (`twice`, 150 calls), and one
# that native code calls (`cmp`, qsort's comparison) is compiled at its
# first threshold. In place (--sync-compile) the counts alone decide: both
# are compiled at 100 calls.
set -eu
gts=$1 bc=$2
want="22350 0 199999"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
out=$("$gts" run "$bc" --stats --trace-tiers 2>"$err") || {
  echo "FAIL: exit $?"; cat "$err"; exit 1; }
stats=$(cat "$err")
echo "$stats" | grep -E '^(twice|cmp) |^gts: (twice|cmp) ->'
[ "$out" = "$want" ] || { echo "FAIL: printed '$out', want '$want'"; exit 1; }
echo "$stats" | grep -Eq '^twice +150 .* interp *$' ||
  { echo "FAIL: twice is not interpreted"; exit 1; }
echo "$stats" | grep -Eq '^gts: cmp -> O0 at call 100 ' ||
  { echo "FAIL: cmp was not compiled at call 100"; exit 1; }
inplace=$("$gts" run "$bc" --sync-compile --stats 2>&1 >/dev/null)
echo "$inplace" | grep -Eq '^twice +150 .* O0 +O0@100$' ||
  { echo "FAIL: in place, twice was not compiled at 100 calls"; exit 1; }
echo "trivial leaves ok"
