#!/usr/bin/env bash
# CI's check of the README's first command: runs scripts/demo.sh's build and
# generation part, then starts the app on the demo file under Xvfb for a few
# seconds, checks the window shows the demo competition and keeps a
# screenshot (test-artifacts/demo-smoke.png).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$target_dir/demo-smoke"
rm -rf "$work"
mkdir -p "$work/framebuffer"

DEMO_PREPARE_ONLY=1 scripts/demo.sh "$work/demo.scoretable"
name="$("$target_dir/release/scoretable" info --file "$work/demo.scoretable" --json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.name ?? j.competition?.name)})')"
echo "demo-smoke: the demo competition is \"$name\""

export WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1 E2E_FBDIR="$work/framebuffer"
dbus-run-session -- xvfb-run -a -s "-screen 0 1366x900x24 -fbdir $E2E_FBDIR" \
  node tests/e2e/smoke.mjs "$target_dir/release/scoretable-app" "$work/demo.scoretable" "$name" demo-smoke
