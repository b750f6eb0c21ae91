#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the TinyLlama app
# (LLVM bitcode) through the gts engine, showing tier changes and the profile.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
app=build/apps/tinyllama
echo "== gts run tinyllama.bc (tiered: interpreter/O0 -> O1 -> O2 -> O3) =="
build/engine/gts run "$app/tinyllama.bc" --trace-tiers --stats -- \
  apps/tinyllama/models/stories260K.bin -z apps/tinyllama/models/tok512.bin \
  -t 0 -n 256 -i "Once upon a time"
