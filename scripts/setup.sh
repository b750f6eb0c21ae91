#!/usr/bin/env bash
# Installs the Debian packages gts needs (idempotent: quick when all are present).
set -euo pipefail
PACKAGES=(
  cmake ninja-build python3 binutils
  clang-19 llvm-19-dev lld-19 liblld-19-dev libclang-rt-19-dev musl-dev
  libgtest-dev libffi-dev zlib1g-dev libzstd-dev libxml2-dev libedit-dev libncurses-dev
  qemu-system-x86 mtools dosfstools
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
