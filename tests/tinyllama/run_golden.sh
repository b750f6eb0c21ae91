#!/usr/bin/env bash
# Runs golden TinyLlama cases through a runner and compares token ids and text.
#
# usage: run_golden.sh --golden DIR --model CKPT --tokenizer TOK [--case NAME]...
#                      -- RUNNER...
# Each case NAME has NAME.args (app flags), NAME.ids and NAME.txt. The app is
# run as: RUNNER... CKPT ARGS... -z TOK -v
# RUNNER is any command prefix, e.g. path/to/tinyllama or
# "gts run tinyllama.bc --tier=O2 --". The runner must pass the app's stdout
# and stderr through; with -v the app prints one id per line on stderr, and
# lines made only of digits are taken as ids. No --case: every case in DIR.
set -uo pipefail

usage() {
  echo "usage: run_golden.sh --golden DIR --model CKPT --tokenizer TOK" \
    "[--case NAME]... -- RUNNER..." >&2
  exit 2
}

golden= model= tok=
cases=()
while (($#)); do
  case $1 in
  --golden) golden=$2; shift 2 ;;
  --model) model=$2; shift 2 ;;
  --tokenizer) tok=$2; shift 2 ;;
  --case) cases+=("$2"); shift 2 ;;
  --) shift; break ;;
  *) usage ;;
  esac
done
runner=("$@")
[[ -n $golden && -n $model && -n $tok && ${#runner[@]} -gt 0 ]] || usage
if ((${#cases[@]} == 0)); then
  for f in "$golden"/*.args; do cases+=("$(basename "$f" .args)"); done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for name in "${cases[@]}"; do
  base=$golden/$name
  if [[ ! -f $base.args ]]; then
    echo "FAIL $name: no $base.args"
    failed=1
    continue
  fi
  # xargs splits the flags like a shell would (quotes), without evaluating.
  mapfile -d '' args < <(xargs printf '%s\0' <"$base.args")
  "${runner[@]}" "$model" "${args[@]}" -z "$tok" -v \
    >"$work/$name.txt" 2>"$work/$name.err"
  rc=$?
  grep -E '^[0-9]+$' "$work/$name.err" >"$work/$name.ids"
  if [[ $rc != 0 ]]; then
    echo "FAIL $name: exit code $rc"
    sed 's/^/  stderr: /' "$work/$name.err" | grep -vE '^  stderr: [0-9]+$' | head -5
    failed=1
  elif ! cmp -s "$work/$name.ids" "$base.ids"; then
    echo "FAIL $name: token ids differ"
    diff "$base.ids" "$work/$name.ids" | head -5
    failed=1
  elif ! cmp -s "$work/$name.txt" "$base.txt"; then
    echo "FAIL $name: text differs"
    cmp "$base.txt" "$work/$name.txt"
    failed=1
  else
    echo "PASS $name ($(wc -l <"$base.ids") tokens; $(grep -h 'tok/s' "$work/$name.err"))"
  fi
done
exit $failed
