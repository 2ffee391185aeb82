#!/usr/bin/env bash
# Installs the Debian packages a group of targets uses, when any is missing. Uses sudo when not
# root. Keeps Debian's maintainer scripts from starting daemons (Dovecot on 143/993/110/995,
# Postfix on 25): the tests start their own, on 127.0.0.1 and other ports.
#   test   make test (README "Testing"): reference servers (Dovecot; Postfix only for its load
#          tools; bogofilter for bench-junk), clients, the loop-mounted filesystem and strace for
#          benchmarks, qemu for the arm64 executable, and for the device's files (test/firmware,
#          src/serve/systemd.test.ts) systemd's tools (systemd-analyze, systemd-sysusers,
#          systemctl, systemd-notify), nft and sfdisk
#   image  make image and make image-test: mmdebstrap and qemu-user for the arm64 root file
#          system, the disk image tools, QEMU's Raspberry Pi 3, Chromium and python3 for the test
set -euo pipefail

case "${1:-}" in
  test)
    packages=(
      make ca-certificates curl openssl python3 procps iproute2 xz-utils util-linux e2fsprogs strace bogofilter
      systemd nftables fdisk
      dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix
      swaks libnet-ssleay-perl libio-socket-ssl-perl fetchmail isync neomutt
      dnsmasq-base pebble
      chromium
      qemu-user-static
    )
    ;;
  image)
    packages=(
      mmdebstrap arch-test qemu-user-static binfmt-support fdisk dosfstools mtools e2fsprogs xz-utils
      kmod systemd git
      qemu-system-arm chromium python3
    )
    ;;
  *)
    echo "usage: $0 test|image" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
echo 'postfix postfix/main_mailer_type select No configuration' | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Whatever a package started anyway must not hold the ports.
for daemon in dovecot master; do $sudo pkill -x "$daemon" 2>/dev/null || true; done
