#!/usr/bin/env bash
# Sets up a fresh Debian machine, builds Scoretable, generates a demo
# competition (divisions, athletes, workouts and scores) and opens it in the
# desktop app. Pass a path to keep the demo file elsewhere.
#
# DEMO_PREPARE_ONLY=1 stops after the build and the generation and prints the
# app and the file (CI's demo check, tests/demo-smoke.sh, uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

demo_file="${1:-$PWD/target/demo/demo.scoretable}"
mkdir -p "$(dirname "$demo_file")"

echo "demo: building the UI and the app"
npm --prefix ui run build
# One cargo invocation, so the CLI and the app share one compile of the tree.
cargo build --release -p scoretable-cli --bin scoretable -p scoretable --features scoretable/custom-protocol --bin scoretable-app

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
if [ ! -f "$demo_file" ]; then
  echo "demo: generating $demo_file"
  "$target_dir/release/scoretable" demo "$demo_file"
fi

if [ -n "${DEMO_PREPARE_ONLY:-}" ]; then
  echo "demo: prepared app=$target_dir/release/scoretable-app file=$demo_file"
  exit 0
fi

echo "demo: opening $demo_file"
SCORETABLE_OPEN="$demo_file" exec "$target_dir/release/scoretable-app"
