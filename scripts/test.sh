#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, lints, and all tests.
# Each phase prints how long it took, so a slow CI run shows where the time went.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
phase() {
  local name=$1 t0=$SECONDS
  shift
  "$@"
  echo "test: ${name} took $((SECONDS - t0)) s (total $((SECONDS - start)) s)" >&2
}
phase setup bash scripts/setup.sh --dev
export PATH="$HOME/.cargo/bin:$PATH"
# The UI: install exactly what package-lock.json pins, type-check, build (the
# desktop shell embeds ui/dist).
phase "npm ci" npm --prefix ui ci --no-audit --no-fund
phase "svelte-check" npm --prefix ui run check
phase "ui build" npm --prefix ui run build
# UI test in real Chromium against the built UI, fed by Tauri's IPC mocks.
phase "ui harness build" npm --prefix ui run build:harness
phase "ui test" npm --prefix ui test

phase fmt cargo fmt --all --check
phase clippy cargo clippy --workspace --all-targets --locked -- -D warnings
phase "cargo test" cargo test --workspace --locked
# End-to-end on the real app (tauri-driver, WebKitWebDriver, Xvfb, ALSA file capture).
phase e2e bash scripts/e2e.sh
# The .deb and .rpm, from the debug build above: installed, used with no checkout assets, removed.
phase package bash scripts/test-package.sh
