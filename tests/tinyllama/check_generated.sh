#!/usr/bin/env bash
# Checks the checkpoint generator and that the app runs generated shapes.
# usage: check_generated.sh GEN CKPT_15M MODELS_DIR WORKDIR -- RUNNER...
set -uo pipefail
gen=$1 ckpt=$2 models=$3 work=$4
[[ $5 == -- ]] || { echo "usage: check_generated.sh GEN CKPT_15M MODELS_DIR WORKDIR -- RUNNER..." >&2; exit 2; }
shift 5
runner=("$@")
mkdir -p "$work"
fail=0
check() { # MESSAGE COMMAND...: records a failure when COMMAND fails
  local msg=$1
  shift
  if "$@"; then echo "ok: $msg"; else echo "FAIL: $msg"; fail=1; fi
}

# Same seed, same bytes; another seed, other bytes; the app accepts the file.
small=(64 96 2 4 2 512 32)
"$gen" "$work/a.bin" "${small[@]}" 3 && "$gen" "$work/b.bin" "${small[@]}" 3 &&
  "$gen" "$work/c.bin" "${small[@]}" 4
check "generator exits 0" test $? = 0
check "generator is deterministic" cmp -s "$work/a.bin" "$work/b.bin"
check "seed changes the weights" test -n "$(cmp "$work/a.bin" "$work/c.bin" 2>&1)"
check "app runs a small generated checkpoint" \
  "${runner[@]}" "$work/a.bin" -z "$models/tok512.bin" -n 16 -s 1 -v \
  >/dev/null 2>&1

# stories15M shape: prompt encodes with the 32000-token tokenizer, then greedy
# steps; ids are in range and a sampled run repeats with its seed.
run15() {
  "${runner[@]}" "$ckpt" -z "$models/tokenizer.bin" -n 8 -i "Once upon a time" \
    -v "$@" 2>"$work/err" >"$work/out"
}
run15 -t 0
check "15M-shaped greedy run exits 0" test $? = 0
mapfile -t ids < <(grep -E '^[0-9]+$' "$work/err")
echo "ids: ${ids[*]}; $(grep 'tok/s' "$work/err")"
check "prompt encodes as Llama 2 tokens 9038 2501 263 931" \
  test "${ids[*]:0:4}" = "9038 2501 263 931"
check "8 positions or a stop on BOS" \
  test "${#ids[@]}" = 8 -o "${ids[-1]}" = 1
check "ids below vocab size" test "$(printf '%s\n' "${ids[@]}" | sort -n | tail -1)" -lt 32000
check "tokens per second reported" grep -q 'achieved tok/s' "$work/err"
run15 -t 1 -s 5 && grep -E '^[0-9]+$' "$work/err" >"$work/s1"
run15 -t 1 -s 5 && grep -E '^[0-9]+$' "$work/err" >"$work/s2"
check "seeded sampling repeats" cmp -s "$work/s1" "$work/s2"
exit $fail
