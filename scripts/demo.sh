#!/usr/bin/env bash
# The main job: installs what is missing, builds everything (build/boot1.img
# included), runs TinyLlama (LLVM bitcode) through the gts engine hosted for
# a few seconds, then runs the whole chain in QEMU with the console live:
# Boot 1 (docs/BOOT1.md: our kernel, the static engine and the app; kernel
# up, engine loaded, tier changes, generated text, tokens/s, the profile
# table), warm boots of the same disk until the engine says it converged
# (docs/SNAPSHOT.md), the export in the guest, the native trial boot and a
# native boot (docs/EXPORT.md). At the end the per-boot table (`gts report`),
# the bytes each boot loaded, the boot payloads, and plots:
# build/demo-boots.svg (boots), build/demo-hosted.svg and
# build/demo-guest.svg (profiles).
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

# The chain (docs/EXPORT.md), on a copy so build/boot1.img stays as built:
# Boot 1 (the engine, cold), warm boots that resume from the snapshot the
# boot before saved on the FAT16 volume (/state) until the engine reports
# the system converged; that boot also exports the app in the guest
# (/NATIVE) and writes /CMDLINE.NEW. The next boot is the kernel's trial of
# /NATIVE, which becomes the default once it reaches main; one more boot
# runs it as the default.
img=build/boot1-demo.img
cp --sparse=always build/boot1.img "$img"
vol="$img@@$((2048 * 512))"
export MTOOLS_SKIP_CHECK=1
boot=0
rows=()
# boot LABEL PROGRAM: one QEMU boot; fails the demo unless the kernel loaded
# PROGRAM and the guest exited with 0.
boot() {
  boot=$((boot + 1))
  echo "== QEMU boot $boot: $1 (docs/BOOT1.md, docs/SNAPSHOT.md, docs/EXPORT.md) =="
  local status=0
  scripts/qemu-run.sh "$img" 300 | tee build/demo-boot.log || status=$?
  local load prog
  load=$(sed -n 's/^load: \([^,]*\), \([0-9]*\) KiB from disk.*/\1 \2/p' \
    build/demo-boot.log | head -n 1)
  prog=${load%% *}
  kib=${load##* }
  rows+=("$(printf '%4d  %-13s %-8s %8s KiB' "$boot" "$1" "${prog:--}" \
    "${kib:--}")")
  if [ "$status" != 0 ]; then
    echo "demo: boot $boot: guest exit status $status"
    exit "$status"
  fi
  if [ "$prog" != "$2" ]; then
    echo "demo: boot $boot: the kernel loaded ${prog:-nothing}, expected $2"
    exit 1
  fi
}
for i in 1 2 3 4 5 6 7 8; do
  boot engine /gts
  [ "$boot" = 1 ] && first_kib=$kib
  grep -q "; converged" build/demo-boot.log && break
done
if ! grep -q "^gts: exported /NATIVE" build/demo-boot.log; then
  echo "demo: the engine did not converge and export in $boot boots"
  exit 1
fi
boot "native trial" /NATIVE
boot native /NATIVE

echo "== the state the engine kept on the FAT16 volume (gts report) =="
rm -rf build/demo-state
mcopy -s -n -i "$vol" ::/state build/demo-state
build/engine/gts report --state build/demo-state --plot build/demo-boots.svg
echo "(plot: build/demo-boots.svg)"
if mcopy -n -i "$vol" ::/stats.json build/demo-guest.json; then
  python3 tools/profile_plot.py build/demo-guest.json build/demo-guest.svg
fi

echo "== per boot: the program the kernel loaded and its bytes from disk =="
echo "boot  config        program    loaded"
printf '%s\n' "${rows[@]}"
echo "bytes loaded: first boot $first_kib KiB, last boot $kib KiB"
# What is booted (stage 1 + stage 2 + kernel + program), model excluded.
mcopy -n -o -i "$vol" ::/NATIVE build/demo-native
bytes() {
  local total=0 f
  for f; do total=$((total + $(stat -c %s "$f"))); done
  echo "$total"
}
pieces=(build/boot-files/stage1.bin build/boot-files/stage2.bin
  build/boot-files/kernel.bin)
echo "boot payload: Boot 1 $(bytes "${pieces[@]}" build/engine/gts \
  build/apps/tinyllama/tinyllama.bc) bytes (engine and bitcode), native \
$(bytes "${pieces[@]}" build/demo-native) bytes"
echo "== the same export on the host, as a disk of its own (gts export --image) =="
build/engine/gts export --state build/demo-state --image build/native.img \
  --args "/stories260K.bin -z /tok512.bin -t 0 -n 128 -i 'Once upon a time'" \
  --file $models/stories260K.bin:/stories260K.bin \
  --file $models/tok512.bin:/tok512.bin
echo "(boot it: scripts/qemu-run.sh build/native.img)"
