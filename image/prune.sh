#!/usr/bin/env bash
# What Debian's arm64 kernel package carries for other machines, removed from a root file system
# (ROOT, the first argument), with the size it saved:
# - the kernel module folders of image/prune-modules.txt, then the module index rebuilt with the
#   build machine's depmod (-b ROOT);
# - the device trees of every board but the Raspberry Pis (/usr/lib/linux-image-*/broadcom is
#   what raspi-firmware's hook copies to the boot partition).
set -euo pipefail
root=$1
list=$(dirname "$0")/prune-modules.txt
size() { du -s -k "$@" | awk '{ s += $1 } END { print int(s / 1024) }'; }

before=$(size "$root"/usr/lib/modules)
for moddir in "$root"/usr/lib/modules/*/; do
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" | while read -r sub; do
    rm -rf "${moddir}kernel/$sub"
  done
  depmod -b "$root" "$(basename "$moddir")"
done
echo "[image] kernel modules: $before MiB -> $(size "$root"/usr/lib/modules) MiB"

before=$(size "$root"/usr/lib/linux-image-*)
find "$root"/usr/lib/linux-image-*/ -mindepth 1 -maxdepth 1 ! -name broadcom -exec rm -rf {} +
echo "[image] device trees: $before MiB -> $(size "$root"/usr/lib/linux-image-*) MiB"
