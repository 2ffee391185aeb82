#!/usr/bin/env bash
# Installs the Debian packages the tests use (the peers and tools of README "Testing"), when any
# is missing: reference servers (Dovecot; Postfix only for its load tools), clients, the
# loop-mounted filesystem and strace for benchmarks, qemu for the arm64 executable. Uses sudo
# when not root. Keeps Debian's maintainer scripts from starting daemons (Dovecot on 143/993/110/995,
# Postfix on 25): the tests start their own, on 127.0.0.1 and other ports.
set -euo pipefail

packages=(
  make ca-certificates curl openssl python3 procps iproute2 xz-utils util-linux e2fsprogs strace
  dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix
  swaks libnet-ssleay-perl libio-socket-ssl-perl fetchmail isync neomutt
  chromium
  qemu-user-static
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-test-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-test-deps: installing ${missing[*]}"
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
