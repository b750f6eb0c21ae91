#!/usr/bin/env bash
# Boots a gts disk image in QEMU and exits with the guest's status.
#
#   scripts/qemu-run.sh IMG [TIMEOUT_SECONDS]   (default 60)
#
# Environment:
#   GTS_QEMU_ACCEL=tcg|kvm|auto  (default auto: KVM if /dev/kvm is a character
#                                device that opens, else TCG)
#   GTS_QEMU_LOG=FILE            serial console copy (default IMG.log)
#   GTS_QEMU_MEM=MiB             guest RAM (default 256)
#
# The serial console goes to stdout and to the log file. The disk is one
# virtio-blk device (SeaBIOS boots from it; the kernel drives it).
# Exit status: the guest writes s to isa-debug-exit (port 0xF4) and QEMU
# exits with (s << 1) | 1; we return s, so 0..127 pass through unchanged.
# Other outcomes: 124 timeout, 122 QEMU ended without a guest status
# (triple fault, ACPI power-off), 121 QEMU failed to start.
set -uo pipefail
img=${1:?usage: qemu-run.sh IMG [TIMEOUT]}
timeout_s=${2:-60}
log=${GTS_QEMU_LOG:-$img.log}
mem=${GTS_QEMU_MEM:-256}
accel=${GTS_QEMU_ACCEL:-auto}

# Some hosts' KVM (nested, AMD) refuses the ARCH_CAPABILITIES MSR that
# "-cpu max" asks for, and QEMU aborts at start; the guest does not need it.
cpu=max,-arch-capabilities
if [ "$accel" = auto ]; then
  # Test for the device first: as root, opening a missing /dev/kvm for
  # writing would create an empty regular file there. Then that QEMU can
  # start a VM with this CPU there (it quits at once).
  if [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null &&
    echo quit | timeout 20 qemu-system-x86_64 -accel kvm -cpu "$cpu" \
      -m 16 -nodefaults -display none -monitor stdio >/dev/null 2>&1; then
    accel=kvm
  else
    accel=tcg
  fi
fi
# With KVM, QEMU still falls back to TCG if creating the VM fails.
accel_args=(-accel "$accel")
[ "$accel" = kvm ] && accel_args+=(-accel tcg)
echo "qemu-run: $img accel=$accel mem=${mem}M timeout=${timeout_s}s log=$log" >&2

: >"$log"
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 \
  "${accel_args[@]}" -cpu "$cpu" -m "$mem" -smp 1 \
  -display none -vga none -nic none -monitor none -no-reboot \
  -chardev stdio,id=con,signal=off,logfile="$log" -serial chardev:con \
  -drive file="$img",format=raw,if=none,id=d0 \
  -device virtio-blk-pci,drive=d0,bootindex=0 \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "qemu-run: timeout after ${timeout_s}s" >&2
  exit 124
fi
if [ $((rc & 1)) -eq 1 ]; then
  exit $((rc >> 1))
fi
if [ $rc -eq 0 ]; then
  echo "qemu-run: guest stopped without a status" >&2
  exit 122
fi
echo "qemu-run: qemu failed (status $rc)" >&2
exit 121
