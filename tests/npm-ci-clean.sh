#!/usr/bin/env bash
# A fresh machine's first step: plain `npm ci` of the committed UI lockfile in
# an empty folder, with an empty npm cache, exactly as a newcomer runs it.
# Fails when the lockfile is stale or lacks another platform's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp ui/package.json ui/package-lock.json "$work/"
(cd "$work" && npm ci --no-audit --no-fund --cache "$work/.npm-cache" >"$work/npm.log" 2>&1) || {
  echo "npm-ci-clean: plain npm ci refused ui/package-lock.json in an empty folder:" >&2
  grep -i 'error' "$work/npm.log" | head -20 >&2
  exit 1
}
echo "npm-ci-clean: ui/package-lock.json installs with plain npm ci in an empty folder"
