#!/usr/bin/env bash
# Seed inputs for the TinyLlama reader fuzzers, made from the shipped model.
# usage: make_tinyllama_seeds.sh MODELS_DIR CHECKPOINT_OUT TOKENIZER_OUT
set -euo pipefail
models=$1 ckpt=$2 tok=$3
rm -rf "$ckpt" "$tok"
mkdir -p "$ckpt" "$tok"

# Little-endian int32 of each argument.
le32() {
  local v
  for v in "$@"; do
    v=$((v & 0xFFFFFFFF))
    printf "\\x$(printf %02x $((v & 255)))\\x$(printf %02x $((v >> 8 & 255)))"
    printf "\\x$(printf %02x $((v >> 16 & 255)))\\x$(printf %02x $((v >> 24)))"
  done
}

# Tiny checkpoints of valid shapes (dim hidden layers heads kv vocab seq):
# the header, then the exact number of floats (zeros) the header implies.
tiny() {
  local name=$1 dim=$2 hidden=$3 layers=$4 heads=$5 kv=$6 vocab=$7 seq=$8
  local hs=$((dim / heads)) v=${vocab#-}
  local n=$((v * dim + layers * dim + layers * dim * dim
    + 2 * layers * dim * hs * kv + layers * dim * dim + layers * dim
    + 3 * layers * dim * hidden + dim + seq * hs))
  [ "$vocab" -lt 0 ] && n=$((n + v * dim))
  { le32 "$dim" "$hidden" "$layers" "$heads" "$kv" "$vocab" "$seq"
    head -c $((n * 4)) /dev/zero; } >"$ckpt/$name"
}
tiny shared 8 16 2 2 1 16 8
tiny separate_classifier 8 12 1 4 2 -10 4
tiny one_layer 4 4 1 1 1 3 2
head -c 28 "$models/stories260K.bin" >"$ckpt/real_header"

# The 512-token tokenizer behind its vocab_size, and a small prefix of it.
{ le32 512; cat "$models/tok512.bin"; } >"$tok/tok512"
{ le32 20; head -c 200 "$models/tok512.bin"; } >"$tok/tok512_prefix"
