#!/usr/bin/env bash
# Runs the integration screens' end-to-end test (tests/e2e/integrations.mjs):
# field mapping and import of a CSV, CSV and PDF export, and the sync status
# of a target pointed at a closed port, in the real app under Xvfb.
#
# Needs what tests/e2e/run.sh needs. Set E2E_SKIP_BUILD=1 to reuse the
# builds run.sh made. Screenshots land in test-artifacts/integrations-*.png.
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

work="${E2E_WORK:-$root/target/e2e-integrations}"
rm -rf "$work"
mkdir -p "$work" "${E2E_ARTIFACTS:-$root/test-artifacts}"

echo "e2e: driving the integration screens under Xvfb"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
export E2E_FBDIR="$work/framebuffer"
mkdir -p "$E2E_FBDIR"
dbus-run-session -- xvfb-run -a -s "-screen 0 1366x900x24 -fbdir $E2E_FBDIR" \
  node tests/e2e/integrations.mjs "$app" "$cli" "$work"
