#!/usr/bin/env bash
# Seed volumes for fuzz_fat16: small FAT16 file systems made by mkfs.fat and
# mtools, cut after the first data clusters (the fuzzer reads the rest of the
# device as zeros).
# usage: make_fat16_seeds.sh OUTDIR
set -euo pipefail
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"
export MTOOLS_SKIP_CHECK=1

# seed NAME KIB SECTORS_KEPT mkfs-options...
seed() {
  local name=$1 kib=$2 keep=$3
  shift 3
  local img=$tmp/$name.img
  mkfs.fat -F 16 -C "$@" "$img" "$kib" >/dev/null
  printf 'hello\n' >"$tmp/small.txt"
  head -c 5000 /dev/zero | tr '\0' 'x' >"$tmp/big.dat"
  mmd -i "$img" ::/sub ::/sub/deeper
  mcopy -i "$img" "$tmp/small.txt" ::/SMALL.TXT
  mcopy -i "$img" "$tmp/big.dat" "::/a long file name.dat"
  mcopy -i "$img" "$tmp/small.txt" ::/sub/inner.txt
  mcopy -i "$img" "$tmp/small.txt" ::/sub/deeper/x
  head -c $((keep * 512)) "$img" >"$out/$name"
}

seed default 16384 160
seed one_sector_clusters 4096 120 -s 1 -r 64
seed one_fat 8192 120 -f 1 -s 2
