#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, lints, and all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
export PATH="$HOME/.cargo/bin:$PATH"
# The UI: install exactly what package-lock.json pins, type-check, build (the
# desktop shell embeds ui/dist).
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run check
npm --prefix ui run build
# UI test in real Chromium against the built UI, fed by Tauri's IPC mocks.
npm --prefix ui run build:harness
npm --prefix ui test

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# End-to-end on the real app (tauri-driver, WebKitWebDriver, Xvfb, ALSA file capture).
bash scripts/e2e.sh
