#!/usr/bin/env bash
# The main job: installs what is missing, builds everything (build/boot1.img
# included), runs TinyLlama (LLVM bitcode) through the gts engine hosted for
# a few seconds, then boots Boot 1 in QEMU (docs/BOOT1.md): our kernel, the
# static engine and the app, with the console live: kernel up, engine
# loaded, tier changes, generated text, tokens/s and the profile table. Then
# it boots the same disk again until the engine says it converged: each boot
# resumes from the snapshot of the one before (docs/SNAPSHOT.md). At the end
# the per-boot table (`gts report`) and plots: build/demo-boots.svg (boots),
# build/demo-hosted.svg and build/demo-guest.svg (profiles).
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

# Boot a copy again and again: each boot resumes from the snapshot the one
# before saved on the FAT16 volume (/state), until the engine reports the
# system converged. The build's image stays as built.
img=build/boot1-demo.img
cp --sparse=always build/boot1.img "$img"
vol="$img@@$((2048 * 512))"
status=0
for boot in 1 2 3 4 5 6; do
  echo "== bare metal: QEMU boot $boot of $img (docs/BOOT1.md, docs/SNAPSHOT.md) =="
  status=0
  scripts/qemu-run.sh "$img" 300 | tee build/demo-boot.log || status=$?
  [ "$status" = 0 ] || break
  grep -q "; converged" build/demo-boot.log && break
done
echo "== guest exit status $status; the state it kept on the FAT16 volume =="
rm -rf build/demo-state
if MTOOLS_SKIP_CHECK=1 mcopy -s -n -i "$vol" ::/state build/demo-state; then
  build/engine/gts report --state build/demo-state --plot build/demo-boots.svg
  echo "(plot: build/demo-boots.svg)"
fi
if MTOOLS_SKIP_CHECK=1 mcopy -n -i "$vol" ::/stats.json \
  build/demo-guest.json; then
  python3 tools/profile_plot.py build/demo-guest.json build/demo-guest.svg
fi
exit "$status"
