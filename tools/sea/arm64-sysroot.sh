#!/usr/bin/env bash
# An arm64 sysroot with what the official node binary links against (libc, libstdc++, libgcc),
# from Debian's arm64 packages, so that qemu-aarch64-static -L DEST runs the arm64 executable on
# an x64 machine without binfmt_misc. The machine's own apt state is not touched: package lists
# and downloads go to a private folder beside DEST. Prints DEST; does nothing when it exists.
# usage: tools/sea/arm64-sysroot.sh DEST
set -euo pipefail
dest=$1
if [ -e "$dest/lib/ld-linux-aarch64.so.1" ]; then echo "$dest"; exit 0; fi
state=$(mktemp -d "${dest%/}.apt.XXXXXX")
trap 'rm -rf "$state"' EXIT
A=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
   -o APT::Sandbox::User=root -o Dir::State::Lists="$state/lists" -o Dir::Cache="$state/cache" -o Dir::State::status="$state/status")
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/debs"
touch "$state/status"
apt-get "${A[@]}" -qq update
(cd "$state/debs" && apt-get "${A[@]}" -qq download libc6 libstdc++6 libgcc-s1)
tmp="${dest%/}.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
for deb in "$state"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp"; done
rm -rf "$dest"
mv "$tmp" "$dest"
echo "$dest"
