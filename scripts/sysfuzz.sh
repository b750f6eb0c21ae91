#!/usr/bin/env bash
# Runs the guest syscall fuzzer (tests/qemu/progs/sysfuzz.c) for CALLS calls
# with SEED on a fresh 32 MiB image, then checks the exit status (0: every
# call returned), the console (no kernel fault, no panic) and `fsck.fat -n`.
#
#   scripts/sysfuzz.sh SEED CALLS [BUILD_DIR]     (default build/)
#
# GTS_QEMU_ACCEL=tcg|kvm as for scripts/qemu-run.sh. Exit status 0 if clean.
set -euo pipefail
seed=${1:?usage: sysfuzz.sh SEED CALLS [BUILD_DIR]}
calls=${2:?usage: sysfuzz.sh SEED CALLS [BUILD_DIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${3:-$root/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/image/mkimage.py" --stage1 "$build/kernel/stage1.bin" \
  --stage2 "$build/kernel/stage2.bin" --kernel "$build/kernel/kernel.bin" \
  --program "$build/tests/qemu/sysfuzz:/sysfuzz" --args "$seed $calls" \
  --size 32 --out "$work/sysfuzz.img" >/dev/null
python3 "$root/tests/qemu/qemu_test.py" --image "$work/sysfuzz.img" \
  --status 0 --timeout 3600 \
  --expect "sysfuzz: done: seed $seed, $calls calls returned" \
  --forbid "FAILED" --forbid "in kernel mode" --forbid "kernel panic" --fsck
