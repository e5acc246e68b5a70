#!/usr/bin/env bash
# Runs the desktop app's end-to-end test from a clean checkout.
#
# Needs: the Debian packages listed in tests/e2e/README.md (WebKitGTK 4.1,
# webkit2gtk-driver, xvfb, dbus), Node 20+, Rust, and `tauri-driver` on PATH
# (cargo install tauri-driver --locked). It builds the UI, builds the real
# app with the `custom-protocol` feature (so the bundled ui/dist is served),
# generates a 60,000-athlete competition with the CLI, and drives the app
# under Xvfb through tauri-driver + WebKitWebDriver. Screenshots and
# e2e-results.json land in test-artifacts/. Exits non-zero on any failure.
#
# Environment:
#   E2E_PROFILE=debug|release   app build profile (default debug)
#   E2E_BIG_ATHLETES=N          athletes in the big event (default 60000; 0 skips it)
#   CARGO_TARGET_DIR            defaults to target, shared with the workspace build (one compile)
#   E2E_WORK, E2E_ARTIFACTS     work and screenshot directories (defaults target/e2e-work, test-artifacts)
#   E2E_DRIVER_PORT             tauri-driver port (default 4444; the next port is WebKitWebDriver's)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
profile="${E2E_PROFILE:-debug}"
big_athletes="${E2E_BIG_ATHLETES:-60000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

for tool in tauri-driver WebKitWebDriver xvfb-run dbus-run-session node npm cargo; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "e2e: $tool is not installed (see tests/e2e/README.md)" >&2
    exit 1
  fi
done

echo "e2e: building the UI"
if [ ! -d ui/node_modules ]; then
  npm ci --prefix ui --no-audit --no-fund
fi
npm --prefix ui run build

profile_flag=()
if [ "$profile" = "release" ]; then
  profile_flag=(--release)
fi
echo "e2e: building the app ($profile, custom-protocol) and the CLI"
# One invocation for both binaries, with the app's feature set: building the
# CLI alone unifies features differently and compiles the dependency tree a
# second time (which filled CI's disk).
cargo build "${profile_flag[@]}" -p scoretable --features scoretable/custom-protocol --bin scoretable-app \
  -p scoretable-cli --bin scoretable
app="$CARGO_TARGET_DIR/$profile/scoretable-app"

work="${E2E_WORK:-$root/target/e2e-work}"
rm -rf "$work"
mkdir -p "$work" "${E2E_ARTIFACTS:-$root/test-artifacts}"

big_file=()
if [ "$big_athletes" != "0" ]; then
  echo "e2e: generating a competition with $big_athletes athletes"
  "$CARGO_TARGET_DIR/$profile/scoretable" generate "$work/big.scoretable" \
    --athletes "$big_athletes" --divisions 12 --splits 10
  big_file=("$work/big.scoretable")
fi

echo "e2e: driving the app under Xvfb"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1
# Xvfb keeps its screen in $E2E_FBDIR/Xvfb_screen0; the test's screenshots read it.
export E2E_FBDIR="$work/framebuffer"
mkdir -p "$E2E_FBDIR"
dbus-run-session -- xvfb-run -a -s "-screen 0 1366x900x24 -fbdir $E2E_FBDIR" \
  node tests/e2e/e2e.mjs "$app" "$work" "${big_file[@]}"
