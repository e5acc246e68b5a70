#!/usr/bin/env bash
# Runs one end-to-end suite that takes the app and the CLI:
#   tests/e2e/run-suite.sh integrations   field mapping and import of a CSV,
#       CSV and PDF export, the sync status of a target at a closed port
#       (integrations.mjs; screenshots test-artifacts/integrations-*.png)
#   tests/e2e/run-suite.sh screens        the status strip, plain words,
#       navigation and shortcuts, "why is A above B", the amendment preview,
#       the heat sheet and the venue display at 1280x800 and 900x600
#       (screens.mjs; screenshots test-artifacts/screens-*.png)
# Needs what tests/e2e/run.sh needs. E2E_SKIP_BUILD=1 reuses the builds
# run.sh made. run-integrations.sh and run-screens.sh name a suite.
set -euo pipefail

suite="${1:?usage: tests/e2e/run-suite.sh integrations|screens}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f "tests/e2e/$suite.mjs" ] || { echo "e2e: no suite tests/e2e/$suite.mjs" >&2; exit 2; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  echo "e2e: building the UI"
  if [ ! -d ui/node_modules ]; then
    npm ci --prefix ui --no-audit --no-fund
  fi
  npm --prefix ui run build
  echo "e2e: building the app (debug, custom-protocol) and the CLI"
  # One invocation, as in run.sh: the CLI built alone would compile the
  # dependency tree again under other features.
  cargo build -p scoretable --features scoretable/custom-protocol --bin scoretable-app \
    -p scoretable-cli --bin scoretable
fi
app="$CARGO_TARGET_DIR/debug/scoretable-app"
cli="$CARGO_TARGET_DIR/debug/scoretable"

work="${E2E_WORK:-$root/target/e2e-$suite}"
rm -rf "$work"
mkdir -p "$work" "${E2E_ARTIFACTS:-$root/test-artifacts}"

echo "e2e: driving the $suite suite under Xvfb"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
export E2E_FBDIR="$work/framebuffer"
mkdir -p "$E2E_FBDIR"
dbus-run-session -- xvfb-run -a -s "-screen 0 1366x900x24 -fbdir $E2E_FBDIR" \
  node "tests/e2e/$suite.mjs" "$app" "$cli" "$work"
