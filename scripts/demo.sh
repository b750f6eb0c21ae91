#!/usr/bin/env bash
# The main job: installs what is missing, builds everything (build/boot1.img
# included), runs TinyLlama (LLVM bitcode) through the gts engine hosted for
# a few seconds, then boots Boot 1 in QEMU (docs/BOOT1.md): our kernel, the
# static engine and the app, with the console live: kernel up, engine
# loaded, tier changes, generated text, tokens/s and the profile table.
# Both profiles are also drawn (tools/profile_plot.py): build/demo-hosted.svg
# and build/demo-guest.svg (from the /stats.json the guest wrote).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
app=build/apps/tinyllama
models=apps/tinyllama/models
echo "== hosted: gts run tinyllama.bc (interpreter -> O0 -> O1 -> O2 -> O3) =="
build/engine/gts run "$app/tinyllama.bc" --sync-compile --trace-tiers \
  --profile-out build/demo-hosted.json -- \
  $models/stories260K.bin -z $models/tok512.bin -t 0 -n 128 \
  -i "Once upon a time"
python3 tools/profile_plot.py build/demo-hosted.json build/demo-hosted.svg

# Boot a copy: the guest writes /stats.json, the build's image stays as built.
img=build/boot1-demo.img
cp --sparse=always build/boot1.img "$img"
echo "== bare metal: QEMU boots $img (docs/BOOT1.md) =="
status=0
scripts/qemu-run.sh "$img" 300 || status=$?
echo "== guest exit status $status; the profile it wrote: /stats.json on the FAT16 volume =="
if MTOOLS_SKIP_CHECK=1 mcopy -n -i "$img@@$((2048 * 512))" ::/stats.json \
  build/demo-guest.json; then
  python3 tools/profile_plot.py build/demo-guest.json build/demo-guest.svg
fi
exit "$status"
