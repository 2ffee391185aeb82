#!/usr/bin/env bash
# make image: the flashable Raspberry Pi image (3, 4, 5, Zero 2 W; arm64), from Debian's own
# parts and the homepost executable, on a Debian x86-64 machine as root. Stages:
#   base       Debian trixie arm64 with image/packages.txt (mmdebstrap, emulated through
#              qemu-user + binfmt_misc) and one initramfs; cached as a tarball under
#              .cache/image/, keyed on everything that goes into it, so a change of the
#              executable or of firmware/ redoes only the stages below
#   customize  the base unpacked, kernel modules and device trees a Pi cannot use removed, firmware/rootfs laid
#              over it, the executable installed, units enabled and masked, a manifest written
#   assemble   a FAT32 boot partition (the Pi's firmware, kernel, initrd, DTBs, config.txt) and
#              an ext4 root, built without mounting (mkfs.vfat + mtools, mkfs.ext4 -d), put
#              together behind an MBR (sfdisk); the root partition grows to the card at first boot
#   compress   xz, sha256
# Output in dist/: homepost-VERSION-arm64.img, .img.xz, .img.xz.sha256, .manifest (every
# package and version inside). Options (environment): IMAGE_SSH=1 adds openssh-server (off by
# default: the device is run from its setup page), IMAGE_XZ=0 skips compression,
# SOURCE_DATE_EPOCH (default: the last commit's time) fixes every time stamp.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)
IMAGE_DIR=$ROOT_DIR/image
CACHE=$ROOT_DIR/.cache/image
VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT_DIR/package.json" 2>/dev/null || sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$ROOT_DIR/package.json")
OUT=$ROOT_DIR/dist/homepost-$VERSION-arm64
EXECUTABLE=$ROOT_DIR/dist/homepost-linux-arm64
SUITE=trixie
MIRROR=http://deb.debian.org/debian
SECURITY=http://deb.debian.org/debian-security
BOOT_LABEL=HP-BOOT
ROOT_LABEL=homepost-root
BOOT_MIB=128
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT_DIR" log -1 --format=%ct 2>/dev/null || date +%s)}

START=$(date +%s)
stage_start=$START
stage() {
  local now
  now=$(date +%s)
  [[ -n ${STAGE:-} ]] && printf '[image] %-10s done in %ds\n' "$STAGE" $((now - stage_start))
  STAGE=$1
  stage_start=$now
  [[ $1 == end ]] || printf '[image] %-10s %s (at %ds)\n' "$1" "$2" $((now - START))
}
die() {
  echo "[image] error: $*" >&2
  exit 1
}

# Package names of image/packages.txt (comments and blank lines dropped), comma-separated.
packages() {
  local list
  list=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$IMAGE_DIR/packages.txt" | tr -d ' ' | paste -sd,)
  [[ ${IMAGE_SSH:-0} == 1 ]] && list+=",openssh-server"
  echo "$list"
}

preflight() {
  stage preflight "tools, binfmt_misc, the arm64 executable"
  [[ $(id -u) == 0 ]] || die "run as root (mmdebstrap --mode=root, chroot, file ownership)"
  local missing=()
  for tool in mmdebstrap arch-test qemu-aarch64-static sfdisk mkfs.vfat mcopy mkfs.ext4 xz depmod; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]}: apt-get install mmdebstrap arch-test qemu-user-static binfmt-support fdisk dosfstools mtools e2fsprogs xz-utils kmod"
  [[ -f $EXECUTABLE ]] || die "no $EXECUTABLE: make binary"
  # arm64 programs in the chroot run through qemu-user, registered with binfmt_misc.
  if [[ ! -e /proc/sys/fs/binfmt_misc/status ]]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    update-binfmts --enable qemu-aarch64 || die "cannot register qemu-aarch64 with binfmt_misc"
  fi
  arch-test arm64 >/dev/null || die "arm64 programs do not run here (arch-test arm64)"
}

# The base root file system: everything from Debian, with its initramfs made once at the end.
base_key() {
  {
    packages
    echo "$SUITE $MIRROR ${IMAGE_SSH:-0}"
    sed -n '/^base_build()/,/^}/p' "$0"
    cat "$IMAGE_DIR"/initramfs/*
  } | sha256sum | cut -c1-16
}

base_build() {
  local tar=$1
  # Not installed: man pages, documentation but the copyright files, translations.
  local dpkgopts=(
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*'
    --dpkgopt='force-confold' --dpkgopt='force-confdef'
  )
  # Before the kernel is installed: the initramfs is not made with each package that asks for it
  # (minutes each under emulation) but once, last, with image/initramfs's configuration.
  local essential=(
    --essential-hook='dpkg-divert --root "$1" --admindir "$1/var/lib/dpkg" --quiet --local --rename --divert /usr/sbin/update-initramfs.real --add /usr/sbin/update-initramfs'
    --essential-hook='mkdir -p "$1/usr/sbin" && printf "#!/bin/sh\nexit 0\n" >"$1/usr/sbin/update-initramfs" && chmod 755 "$1/usr/sbin/update-initramfs"'
    --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" && cp '$IMAGE_DIR/initramfs/modules' \"\$1/etc/initramfs-tools/modules\" && cp '$IMAGE_DIR/initramfs/homepost.conf' \"\$1/etc/initramfs-tools/conf.d/homepost.conf\""
  )
  local customize=(
    --customize-hook='rm "$1/usr/sbin/update-initramfs" && dpkg-divert --root "$1" --admindir "$1/var/lib/dpkg" --quiet --local --rename --remove /usr/sbin/update-initramfs'
    --customize-hook='chroot "$1" update-initramfs -c -k all'
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*'
  )
  mmdebstrap --mode=root --format=tar --variant=apt --arch=arm64 --components=main,non-free-firmware \
    --include="$(packages)" "${dpkgopts[@]}" "${essential[@]}" "${customize[@]}" \
    "$SUITE" "$tar" \
    "deb $MIRROR $SUITE main non-free-firmware" \
    "deb $MIRROR $SUITE-updates main non-free-firmware" \
    "deb $SECURITY $SUITE-security main non-free-firmware"
}

base() {
  local key tar
  key=$(base_key)
  tar=$CACHE/base-$key.tar
  if [[ -f $tar ]]; then
    stage base "cached: $tar"
    return
  fi
  stage base "mmdebstrap $SUITE arm64 (emulated; about 20 minutes) into $tar"
  mkdir -p "$CACHE"
  base_build "$CACHE/partial-$key.tar"
  mv "$CACHE/partial-$key.tar" "$tar"
  # Older bases of other keys are of no more use.
  find "$CACHE" -maxdepth 1 -name 'base-*.tar' ! -name "base-$key.tar" -delete
}

customize() {
  stage customize "firmware/, the executable, units, manifest"
  local work=$CACHE/work
  rm -rf "$work"
  mkdir -p "$work/root"
  tar -C "$work/root" -xf "$CACHE/base-$(base_key).tar"
  local r=$work/root
  "$IMAGE_DIR/prune.sh" "$r"
  cp -a "$ROOT_DIR/firmware/rootfs/." "$r/"
  install -m 0755 "$EXECUTABLE" "$r/usr/local/bin/homepost"
  # The image's own systemd (through qemu-user) knows its own sysusers.d and units.
  chroot "$r" systemd-sysusers >/dev/null
  # systemd makes a new machine-id at first boot (an empty file marks the first boot).
  : >"$r/etc/machine-id"
  rm -f "$r/var/lib/dbus/machine-id"
  # raspi-firmware's kernel hook again, now with firmware/'s /etc/default/raspi-firmware: it
  # copies kernel, initrd and DTBs to /boot/firmware and writes config.txt and cmdline.txt (root
  # by label, consoles); during the base build it could only guess them from the build machine.
  # (/proc mounted, so that the hook's ischroot sees the chroot and does not ask for a mounted
  # /boot/firmware.)
  mount -t proc proc "$r/proc"
  chroot "$r" env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware || { umount "$r/proc"; die "raspi-firmware's kernel hook failed"; }
  umount "$r/proc"
  local unit
  for unit in $(sed -e 's/#.*//' "$ROOT_DIR/firmware/enable.txt"); do chroot "$r" systemctl enable "$unit" >/dev/null 2>&1 || die "cannot enable $unit"; done
  for unit in $(sed -e 's/#.*//' "$ROOT_DIR/firmware/mask.txt"); do chroot "$r" systemctl mask "$unit" >/dev/null 2>&1 || die "cannot mask $unit"; done
  chroot "$r" dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' >"$OUT.manifest"
  echo "homepost	$VERSION	arm64" >>"$OUT.manifest"
}

assemble() {
  stage assemble "boot (FAT32) and root (ext4) partitions, MBR"
  local work=$CACHE/work r=$CACHE/work/root
  # The boot partition's contents leave the root file system (it is mounted there); so do the
  # second copies of kernel and initrd in /boot: the Pi boots those in /boot/firmware.
  rm -rf "$work/boot"
  mv "$r/boot/firmware" "$work/boot"
  mkdir -m 0755 "$r/boot/firmware"
  rm -f "$r"/boot/vmlinuz-* "$r"/boot/initrd.img-* "$r"/boot/System.map-*
  find "$r" -depth -newermt "@$SOURCE_DATE_EPOCH" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} + 2>/dev/null || true

  local boot_img=$work/boot.img root_img=$work/root.img
  rm -f "$boot_img" "$root_img"
  mkfs.vfat -F 32 -n "$BOOT_LABEL" -i 48500000 --invariant -C "$boot_img" $((BOOT_MIB * 1024)) >/dev/null
  mcopy -s -p -m -i "$boot_img" "$work/boot"/* ::/
  # ext4 sized to what it holds plus a margin for its own metadata (it grows to the card at
  # first boot).
  local used_kib root_mib
  used_kib=$(du -s -k "$r" | cut -f1)
  root_mib=$(((used_kib * 11 / 10 + 32 * 1024) / 1024))
  E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -L "$ROOT_LABEL" -U clear -E "root_owner=0:0,hash_seed=48505f48-4f4d-4550-4f53-540000000000" \
    -O ^metadata_csum_seed -d "$r" "$root_img" "${root_mib}M"

  # MBR: boot at 4 MiB (erase-block aligned), root right after it.
  local img=$OUT.img total_mib=$((4 + BOOT_MIB + root_mib))
  rm -f "$img"
  truncate -s "${total_mib}M" "$img"
  sfdisk --quiet --no-reread "$img" <<EOF
label: dos
label-id: 0x48504f53
start=4MiB, size=${BOOT_MIB}MiB, type=c, bootable
start=$((4 + BOOT_MIB))MiB, type=83
EOF
  dd if="$boot_img" of="$img" bs=1M seek=4 conv=notrunc,sparse status=none
  dd if="$root_img" of="$img" bs=1M seek=$((4 + BOOT_MIB)) conv=notrunc,sparse status=none
  rm -f "$boot_img" "$root_img"
}

compress() {
  if [[ ${IMAGE_XZ:-1} == 0 ]]; then
    stage compress "skipped (IMAGE_XZ=0)"
    return
  fi
  stage compress "xz -T2 -6"
  rm -f "$OUT.img.xz"
  xz -T2 -6 -k "$OUT.img"
  (cd "$(dirname "$OUT")" && sha256sum "$(basename "$OUT").img.xz" >"$(basename "$OUT").img.xz.sha256")
}

summary() {
  stage end ""
  local raw xz sum
  raw=$(stat -c %s "$OUT.img")
  echo "[image] done in $(($(date +%s) - START))s"
  echo "[image] image     $OUT.img ($((raw / 1024 / 1024)) MiB raw)"
  if [[ -f $OUT.img.xz ]]; then
    xz=$(stat -c %s "$OUT.img.xz")
    sum=$(cut -d' ' -f1 "$OUT.img.xz.sha256")
    echo "[image] flash     $OUT.img.xz ($((xz / 1024 / 1024)) MiB xz)"
    echo "[image] sha256    $sum"
  fi
  echo "[image] manifest  $OUT.manifest ($(wc -l <"$OUT.manifest") packages)"
}

main() {
  preflight
  base
  [[ ${1:-} == base ]] && { stage end ""; return; }
  customize
  assemble
  compress
  summary
}

# (exit at once: the script may be edited while a long build runs)
main "$@"; exit
