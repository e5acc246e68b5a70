#!/usr/bin/env bash
# Runs the competition-day screens' end-to-end check (tests/e2e/screens.mjs):
# the status strip, plain words, navigation and shortcuts, "why is A above
# B", the amendment preview, at 1280x800 and 900x600. Needs what run.sh
# needs. E2E_SKIP_BUILD=1 reuses the builds run.sh made. Screenshots land in
# test-artifacts/screens-*.png.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  echo "e2e: building the UI"
  if [ ! -d ui/node_modules ]; then
    npm ci --prefix ui --no-audit --no-fund
  fi
  npm --prefix ui run build
  echo "e2e: building the app (debug, custom-protocol) and the CLI"
  cargo build --features custom-protocol --bin scoretable-app
  cargo build -p scoretable-cli --bin scoretable
fi
app="$CARGO_TARGET_DIR/debug/scoretable-app"
cli="$CARGO_TARGET_DIR/debug/scoretable"

work="${E2E_WORK:-$root/target/e2e-screens}"
rm -rf "$work"
mkdir -p "$work" "${E2E_ARTIFACTS:-$root/test-artifacts}"

echo "e2e: driving the competition-day screens under Xvfb"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
export E2E_FBDIR="$work/framebuffer"
mkdir -p "$E2E_FBDIR"
dbus-run-session -- xvfb-run -a -s "-screen 0 1366x900x24 -fbdir $E2E_FBDIR" \
  node tests/e2e/screens.mjs "$app" "$cli" "$work"
