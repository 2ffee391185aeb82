#!/usr/bin/env bash
# Fetches the official Node.js build of the pinned version from the npm registry
# (package node-linux-<arch>) into .cache/, so that development, tests and the shipped binary all
# run on one exact version whatever node the machine has. Prints nothing on success.
# The package holds only the node binary; when the machine has no npm either, npm itself is
# fetched the same way and placed beside it.
# usage: tools/fetch-node.sh VERSION ARCH DEST_DIR [NPM_VERSION]
set -euo pipefail
version=$1 arch=$2 dest=$3 npm_version=${4:-11.21.2}
[ -x "$dest/bin/node" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch PACKAGE VERSION: leaves $tmp/PACKAGE-VERSION.tgz
fetch() {
  local pkg=$1 ver=$2
  if command -v npm >/dev/null 2>&1; then
    (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
  else
    local url="https://registry.npmjs.org/$pkg/-/$pkg-$ver.tgz"
    if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$tmp/$pkg-$ver.tgz" "$url"
    else wget -q -O "$tmp/$pkg-$ver.tgz" "$url"; fi
  fi
}

had_npm=$(command -v npm || true)
fetch "node-linux-$arch" "$version"
mkdir -p "$tmp/node"
tar -xzf "$tmp/node-linux-$arch-$version.tgz" -C "$tmp/node"
if [ -z "$had_npm" ]; then
  fetch npm "$npm_version"
  mkdir -p "$tmp/node/package/lib/node_modules/npm"
  tar -xzf "$tmp/npm-$npm_version.tgz" -C "$tmp/node/package/lib/node_modules/npm" --strip-components=1
  printf '#!/bin/sh\nd=$(dirname "$(readlink -f "$0")")\nexec "$d/node" "$d/../lib/node_modules/npm/bin/npm-cli.js" "$@"\n' >"$tmp/node/package/bin/npm"
  chmod +x "$tmp/node/package/bin/npm"
fi
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$tmp/node/package" "$dest"
"$dest/bin/node" --version >/dev/null
