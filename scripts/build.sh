#!/usr/bin/env bash
# Configures and builds gts into build/ (Release, clang-19, Ninja).
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/scripts/setup.sh"
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
fi
cmake --build build
