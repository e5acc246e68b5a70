#!/usr/bin/env bash
# Installs everything Scoretable needs on a fresh Debian machine: the system
# libraries Tauri links against, the UI-test tools (Xvfb, WebKitWebDriver,
# D-Bus), tauri-driver, and the UI's npm packages from the committed lockfile.
# Safe to run again: each step is skipped when its result is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debian_packages=(
  build-essential pkg-config curl
  libwebkit2gtk-4.1-dev libssl-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver dbus dbus-x11
  poppler-utils
)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked
fi

echo "setup: installing UI packages from the committed lockfile"
# npm 11 writes lockfiles without the optional native packages of other
# platforms (rollup, esbuild) and then `npm ci` refuses them as out of sync
# (npm/cli#8805). When that happens, install the same locked versions with
# `npm install` and check that the lockfile did not change.
if ! (cd ui && npm ci --no-audit --no-fund); then
  echo "setup: npm ci refused the lockfile; installing the locked versions with npm install"
  cp ui/package-lock.json "${TMPDIR:-/tmp}/scoretable-package-lock.json"
  (cd ui && npm install --no-audit --no-fund)
  if ! cmp -s ui/package-lock.json "${TMPDIR:-/tmp}/scoretable-package-lock.json"; then
    echo "setup: npm install changed ui/package-lock.json; the committed lockfile is stale" >&2
    exit 1
  fi
fi
