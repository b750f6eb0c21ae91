#!/usr/bin/env bash
# startup_profile.sh [BUILD_DIR]: where `gts run` spends TinyLlama's start-up
# and first token (stories260K, -n 1, tiered), by engine phase: perf record
# with DWARF call graphs, then each phase's inclusive share of the samples.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
models=$here/../apps/tinyllama/models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
perf record -q --call-graph dwarf,32768 -F 10000 -o "$work/perf.data" \
  "$build/engine/gts" run "$build/apps/tinyllama/tinyllama.bc" -- \
  "$models/stories260K.bin" -z "$models/tok512.bin" -t 0 -n 1 >/dev/null 2>&1
perf report -i "$work/perf.data" --children --sort sym 2>/dev/null |
  grep -E '^ +[0-9]' |
  grep -E ' (gts::Engine::create|gts::loadAndPrepare|llvm::parseIRFile|gts::prepareForInterp|gts::Interpreter::canRun|llvm::WriteBitcodeToFile|llvm::parseBitcodeFile|gts::buildDataUnit|gts::buildEntryThunks|gts::Compiler::compile|gts::Jit::create|gts::Compiler::create|gts::CompileQueue::work|gts::.*TieredEngine::startInterpreted|gts::.*TieredEngine::runMain)$' |
  awk '{ printf "%7s  %s\n", $1, $NF }'
