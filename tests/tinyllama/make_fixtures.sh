#!/usr/bin/env bash
# Creates malformed checkpoints and tokenizers for the bad-input tests.
# usage: make_fixtures.sh OUTDIR MODELS_DIR
set -euo pipefail
out=$1 models=$2
model=$models/stories260K.bin
mkdir -p "$out"

# Prints the little-endian int32 encoding of each argument.
le32() {
  local v
  for v in "$@"; do
    v=$((v & 0xFFFFFFFF))
    printf "\\x$(printf %02x $((v & 255)))\\x$(printf %02x $((v >> 8 & 255)))"
    printf "\\x$(printf %02x $((v >> 16 & 255)))\\x$(printf %02x $((v >> 24)))"
  done
}

# The real model's weights behind a replaced header.
with_header() {
  local name=$1
  shift
  { le32 "$@"; tail -c +29 "$model"; } >"$out/$name"
}

: >"$out/empty.bin"
head -c 10 "$model" >"$out/short_header.bin"
head -c 500000 "$model" >"$out/truncated.bin"
{ cat "$model"; le32 0; } >"$out/extra.bin"
with_header zero_dim.bin 0 172 5 8 4 512 512
with_header negative_layers.bin 64 172 -1 8 4 512 512
with_header heads_7.bin 64 172 5 7 7 512 512
with_header kv_heads_3.bin 64 172 5 8 3 512 512
with_header huge.bin 65536 1073741824 1000 1 1 512 512
head -c 3000 "$models/tok512.bin" >"$out/tok_truncated.bin"
: >"$out/tok_empty.bin"
{ le32 16 0 -1; } >"$out/tok_bad_length.bin" # max_len, score, length
