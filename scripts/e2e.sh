#!/usr/bin/env bash
# End-to-end test of the real desktop app: builds the app (intone-app, with the
# embedded UI) and the `intone` command, then drives the app under Xvfb through
# tauri-driver + WebKitWebDriver (tests/app.e2e.mjs, tests/book.e2e.mjs, tests/music.e2e.mjs). Needs what
# `scripts/setup.sh --dev` installs and node_modules in ui/ (npm --prefix ui ci).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
npm --prefix ui run build
cargo build -p intone-studio --bins --features tauri/custom-protocol --locked
INTONE_APP="$PWD/target/debug/intone-app" INTONE_CLI="$PWD/target/debug/intone" INTONE_ASSETS="$PWD/.assets" \
  xvfb-run -a -s "-screen 0 1440x900x24" node --test tests/app.e2e.mjs tests/book.e2e.mjs tests/music.e2e.mjs
