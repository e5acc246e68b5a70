#!/usr/bin/env bash
# Installs everything Scoretable needs on a fresh Debian machine: the system
# libraries Tauri links against, the UI-test tools (Xvfb, WebKitWebDriver,
# D-Bus, gnome-keyring for the OS-keyring tests), tauri-driver, and the UI's npm packages from the committed lockfile.
# Safe to run again: each step is skipped when its result is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debian_packages=(
  build-essential pkg-config curl
  libwebkit2gtk-4.1-dev libssl-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver dbus dbus-x11
  gnome-keyring
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
# Plain `npm ci`: the committed lockfile lists every platform's optional native
# package (rollup, esbuild), as a clean `npm install` writes it, so it installs
# on any machine. tests/npm-ci-clean.sh checks that in an empty folder.
if ! (cd ui && npm ci --no-audit --no-fund); then
  echo "setup: npm ci refused ui/package-lock.json. Regenerate it in an empty folder:" >&2
  echo "  d=\$(mktemp -d) && cp ui/package.json \$d/ && (cd \$d && npm install --no-audit --no-fund) && cp \$d/package-lock.json ui/" >&2
  exit 1
fi
