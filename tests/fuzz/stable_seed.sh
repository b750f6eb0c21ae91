#!/usr/bin/env bash
# usage: stable_seed.sh IN.bc OUT.bc
# The bitcode of IN with its source_filename (the absolute path it was
# compiled from) replaced by "seed": the IR fuzzer's seeds, and so the
# inputs its fixed-seed run tries, are then the same in every checkout.
set -euo pipefail
llvm-dis-19 "$1" -o - |
  sed -E 's#^source_filename = .*#source_filename = "seed"#' |
  llvm-as-19 - -o "$2"
