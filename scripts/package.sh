#!/usr/bin/env bash
# Builds Scoretable's installable Linux package: a .deb with the app, its
# icons, a desktop entry and the version from tauri.conf.json, through the
# Tauri CLI (the npm package @tauri-apps/cli from ui/'s lockfile).
#   scripts/package.sh            -> target/release/bundle/deb/Scoretable_<version>_<arch>.deb
# Needs what scripts/setup.sh installs. macOS and Windows packages are built
# the same way on those systems (see README, "Packages").
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x ui/node_modules/.bin/tauri ] || npm ci --prefix ui --no-audit --no-fund
ui/node_modules/.bin/tauri build --bundles deb "$@"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
ls -1 "$target_dir"/release/bundle/deb/*.deb
