#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every Scoretable test:
#   0. the committed npm lockfile installs with plain `npm ci` in an empty folder;
#      no merge-conflict markers and `cargo fmt --check` clean;
#   1. the Rust workspace (engine, store, CLI, inbound, sync, export, bench
#      smoke run, and the app's command layer), with property tests, and
#      (after the end-to-end tests) the export's memory test at event size
#      in release;
#   2. the UI's logic tests (Vitest, against the in-browser mock backend);
#   3. the end-to-end tests of the real desktop app under Xvfb, driven through
#      tauri-driver and WebKitWebDriver (score table workflow, 60k-row
#      leaderboard, field mapping, export and sync screens, the
#      competition-day screens), with screenshots
#      in test-artifacts/;
#   4. the README's demo command (its build and generation, then the app on
#      the demo file under Xvfb) and the Linux package (.deb built, installed
#      and started under Xvfb).
# Exits non-zero on the first failure. Prints each step's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step() { echo "== [$(( SECONDS - started ))s] $*"; }

step "the committed npm lockfile, in an empty folder"
tests/npm-ci-clean.sh

step "setup"
scripts/setup.sh

step "source hygiene (conflict markers, cargo fmt --check)"
tests/hygiene.sh

# One target directory and one feature set for everything, so each profile's
# dependency tree is compiled once: the workspace tests build the app with
# `custom-protocol` (it embeds ui/dist, so the UI is built first), and the
# end-to-end runs reuse that build; the demo and the package share one
# release build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Disk: CI's machine ran out of space on a clean clone (stop 28). A single
# run never reuses incremental caches, and full debug info for every
# dependency is most of the debug tree; line tables keep panics' file:line.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"
export CARGO_PROFILE_RELEASE_DEBUG="${CARGO_PROFILE_RELEASE_DEBUG:-line-tables-only}"

step "ui: build"
npm --prefix ui run build

step "cargo test --workspace"
cargo test --workspace --no-fail-fast --features scoretable/custom-protocol

step "ui: vitest"
(cd ui && npm test)

step "end-to-end: the real app under Xvfb"
tests/e2e/run.sh

step "end-to-end: field mapping, export and sync screens"
E2E_SKIP_BUILD=1 tests/e2e/run-integrations.sh

step "end-to-end: the competition-day screens (status strip, navigation, explanations, amendment preview)"
E2E_SKIP_BUILD=1 tests/e2e/run-screens.sh

# CI (.ci/run) frees the debug build here: the steps below use the release
# build only, and a clean clone's two trees together were most of the disk
# a run needs (6.7 GB measured at the peak; 3.5 GB of it the debug tree).
if [ "${SCORETABLE_TEST_FREE_DISK:-}" = 1 ]; then
  step "freeing the debug build (SCORETABLE_TEST_FREE_DISK=1)"
  rm -rf "$CARGO_TARGET_DIR/debug"
fi

step "export memory at event size (release: a team event at 32,000 and 64,000 athletes)"
cargo test --release -p scoretable-export --test memory

step "the demo command (build, generate, open under Xvfb)"
tests/demo-smoke.sh

step "the Linux package (build, install, start under Xvfb)"
tests/package-smoke.sh

step "all tests passed"
