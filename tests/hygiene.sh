#!/usr/bin/env bash
# Source hygiene, before anything is built: no merge-conflict markers in any
# tracked file, and the Rust sources formatted as `cargo fmt` writes them.
set -euo pipefail
cd "$(dirname "$0")/.."

markers='^(<<<<<<< |>>>>>>> |=======$)'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  found=$(git grep -n -E "$markers" -- . ':!*.lock' ':!*.snap' || true)
else
  found=$(grep -rn -E "$markers" --exclude-dir=node_modules --exclude-dir=target \
    --exclude-dir=.git --exclude='*.lock' . || true)
fi
if [ -n "$found" ]; then
  echo "merge-conflict markers left in the sources:" >&2
  echo "$found" >&2
  exit 1
fi

if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --all -- --check
else
  echo "rustfmt is not installed (rustup component add rustfmt)" >&2
  exit 1
fi
echo "hygiene: no conflict markers, formatting ok"
