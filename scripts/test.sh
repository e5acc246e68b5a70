#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every Scoretable test:
#   1. the Rust workspace (engine, store, CLI, inbound, sync, export, bench
#      smoke run, and the app's command layer), with property tests;
#   2. the UI's logic tests (Vitest, against the in-browser mock backend);
#   3. the end-to-end tests of the real desktop app under Xvfb, driven through
#      tauri-driver and WebKitWebDriver (score table workflow, 60k-row
#      leaderboard, field mapping, export and sync screens, the
#      competition-day screens), with screenshots
#      in test-artifacts/.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== the committed npm lockfile, in an empty folder"
tests/npm-ci-clean.sh

scripts/setup.sh

# One target directory for everything, so the end-to-end build reuses the
# dependencies the workspace tests compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo test --workspace"
cargo test --workspace --no-fail-fast

echo "== ui: vitest"
(cd ui && npm test)

echo "== end-to-end: the real app under Xvfb"
tests/e2e/run.sh

echo "== end-to-end: field mapping, export and sync screens"
cargo build -p scoretable-cli --bin scoretable
E2E_SKIP_BUILD=1 tests/e2e/run-integrations.sh

echo "== end-to-end: the competition-day screens (status strip, navigation, explanations, amendment preview)"
E2E_SKIP_BUILD=1 tests/e2e/run-screens.sh
