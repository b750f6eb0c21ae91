#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite; with no
# arguments (as in CI) also hosted gts under ASan+UBSan and TSan
# (scripts/sanitize.sh). Arguments go to ctest for the main build only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
(cd build && ctest --output-on-failure -j2 "$@")
if (($# == 0)); then
  scripts/sanitize.sh
fi
