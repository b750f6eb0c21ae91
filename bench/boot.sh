#!/usr/bin/env bash
# boot.sh [BUILD_DIR] [RUNS]: boot times in QEMU (TCG unless GTS_QEMU_ACCEL
# says otherwise), from the QEMU tests' own timing: QEMU start to the static
# hello's first output (qemu_hello, --time-to), and Boot 1 (the engine loaded
# from the FAT16 image runs TinyLlama, stories260K, 256 tokens) with the
# guest's achieved tok/s. RUNS times each (default 3), one line per run.
set -euo pipefail
build=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
runs=${2:-3}
for i in $(seq "$runs"); do
  ctest --test-dir "$build" -R '^qemu_hello$' -V 2>&1 |
    grep -oE "'hello from gts user space' after [0-9]+ ms" || exit 1
done
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  out=$(ctest --test-dir "$build" -R '^boot1.golden.greedy_once_256$' -V 2>&1) ||
    { echo "$out" | tail -20; exit 1; }
  end=$(date +%s.%N)
  echo "boot1 greedy_once_256: test $(echo "$end - $start" | bc) s," \
    "$(echo "$out" | grep -oE 'achieved tok/s: [0-9.]+' | head -1)"
done
