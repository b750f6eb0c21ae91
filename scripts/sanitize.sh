#!/usr/bin/env bash
# Builds hosted gts with sanitizers and runs its sanitizer tests
# (tests/sanitize): build-asan (-DGTS_SANITIZE=address,undefined, label
# asan) and build-tsan (thread, label tsan). Only gts and the hosted engine
# tests are built there.
# usage: scripts/sanitize.sh [asan|tsan]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/scripts/setup.sh"
kinds=("$@")
((${#kinds[@]})) || kinds=(asan tsan)
for kind in "${kinds[@]}"; do
  case $kind in
  asan) sanitize=address,undefined ;;
  tsan) sanitize=thread ;;
  *)
    echo "usage: scripts/sanitize.sh [asan|tsan]..." >&2
    exit 64
    ;;
  esac
  dir=build-$kind
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DGTS_SANITIZE="$sanitize" >/dev/null
  targets=$(sed -n 's/^GTS_SANITIZE_TARGETS:INTERNAL=//p' "$dir/CMakeCache.txt")
  IFS=';' read -ra targets <<<"$targets"
  cmake --build "$dir" --target "${targets[@]}"
  (cd "$dir" && ctest -L "$kind" --no-tests=error --output-on-failure -j2)
done
