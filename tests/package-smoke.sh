#!/usr/bin/env bash
# CI's check of the Linux package: builds the .deb (scripts/package.sh),
# checks its contents (binary, desktop entry, icons, version), installs it
# with dpkg, starts the installed app on the demo competition under Xvfb and
# checks the window shows it (screenshot test-artifacts/package-smoke.png).
# Run after tests/demo-smoke.sh (it reuses the demo file); needs root or sudo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
target_dir="${CARGO_TARGET_DIR:-$root/target}"
work="$target_dir/package-smoke"
rm -rf "$work"
mkdir -p "$work/framebuffer"

scripts/package.sh
version="$(node -p 'require("./tauri.conf.json").version')"
deb="$(ls -1t "$target_dir"/release/bundle/deb/*_"$version"_*.deb | head -1)"
echo "package-smoke: $deb"
contents="$(dpkg-deb --contents "$deb")"
fail=0
for wanted in usr/bin/scoretable-app usr/share/applications/Scoretable.desktop usr/share/icons/hicolor/128x128/apps/scoretable-app.png; do
  if grep -q "$wanted" <<<"$contents"; then echo "ok - the package holds $wanted"; else echo "not ok - the package lacks $wanted"; fail=1; fi
done
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] && echo "ok - package version $version" || { echo "not ok - package version"; fail=1; }
[ "$fail" = 0 ] || exit 1

as_root dpkg -i "$deb" || { as_root apt-get install -f -y -q; as_root dpkg -i "$deb"; }
demo="$work/demo.scoretable"
"$target_dir/release/scoretable" demo "$demo"
name="$("$target_dir/release/scoretable" info --file "$demo" --json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.name ?? j.competition?.name)})')"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1 E2E_FBDIR="$work/framebuffer"
dbus-run-session -- xvfb-run -a -s "-screen 0 1366x900x24 -fbdir $E2E_FBDIR" \
  node tests/e2e/smoke.mjs /usr/bin/scoretable-app "$demo" "$name" package-smoke
