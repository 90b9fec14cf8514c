#!/usr/bin/env bash
# Builds Intone's Linux packages, offline: a .deb and an .rpm, with Tauri's
# bundler (pure Rust; AppImage is left out, since its tools are downloaded).
#   scripts/package.sh              release build: target/release/bundle/{deb,rpm}/
#   scripts/package.sh --debug      debug build, reusing what the tests built
#                                   (scripts/test-package.sh installs that one)
#   scripts/package.sh --bundles deb
# The packages hold the desktop app (/usr/bin/intone-app), the `intone` command
# (/usr/bin/intone), the built-in voice, ONNX Runtime, the speech recognizer's
# model and the examples (/usr/lib/Intone/), man pages and bash/zsh/fish
# completions (scripts/package-stage.sh makes them) and a desktop entry that
# opens .md/.txt scripts. Configured in tauri.conf.json ("bundle").
set -euo pipefail
cd "$(dirname "$0")/.."
debug=0
bundles="deb,rpm"
while (($#)); do
  case "$1" in
    --debug) debug=1 ;;
    --bundles) bundles="$2"; shift ;;
    *) echo "package: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# The Tauri CLI is pinned in ui/package.json (@tauri-apps/cli).
[[ -x ui/node_modules/.bin/tauri ]] || npm --prefix ui ci --no-audit --no-fund --loglevel=error
args=(build --ci --bundles "$bundles")
# A test build needs no smallest .rpm: zstd level 3 instead of the release's 19
# (payload 160 MB against 153 MB; 0.6 s against 53 s on this machine).
((debug)) && args+=(--debug --config '{"bundle":{"linux":{"rpm":{"compression":{"type":"zstd","level":3}}}}}')
t0=$SECONDS
ui/node_modules/.bin/tauri "${args[@]}"
profile=release
((debug)) && profile=debug
echo "package: built in $((SECONDS - t0)) s:" >&2
for f in target/$profile/bundle/deb/*.deb target/$profile/bundle/rpm/*.rpm; do
  [[ -f "$f" ]] && echo "package:   $f ($(du -h "$f" | cut -f1))" >&2
done
exit 0
