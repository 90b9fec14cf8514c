#!/usr/bin/env bash
# Installs what is missing, builds Intone, and runs it.
#   scripts/run.sh                 open the desktop studio (on a machine with a display);
#                                  without a display, generate the demo below instead
#   scripts/run.sh --demo          generate examples/evening-wind-down.md (voice + sleep variants) with the CLI
#   scripts/run.sh ARGS...         run `intone ARGS...` (e.g. scripts/run.sh generate my.md --variant sleep)
# The demo's home is ./.intone-demo unless INTONE_HOME is set; the app uses the
# platform data folder unless INTONE_HOME is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
# The built-in voice, ONNX Runtime, the speech recognizer's model (installed by setup in
# .assets/) and the examples: Intone looks in $INTONE_ASSETS first (then beside the
# executable, where the app's build copies them, then /usr/lib/Intone).
export INTONE_ASSETS="$PWD/.assets:$PWD"
# Earlier versions linked .assets/* into target/release/; the app's build now copies them there.
for d in voices runtime models; do
  [[ -L "target/release/$d" ]] && rm "target/release/$d"
done

# The `intone` command alone, with no GUI library (the demo and the CLI need none).
build_cli() {
  cargo build --release --locked -q -p intone-studio --bin intone --no-default-features
}

demo() {
  build_cli
  export INTONE_HOME="${INTONE_HOME:-$PWD/.intone-demo}"
  local script="examples/evening-wind-down.md"
  ./target/release/intone generate "$script" --variant voice --variant sleep
  echo "run: the tracks are in $INTONE_HOME/projects/ (intone --home $INTONE_HOME batches lists them)" >&2
  exit 0
}

if (($#)); then
  [[ "$1" == "--demo" ]] && demo
  build_cli
  exec ./target/release/intone "$@"
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run: no display here, so the desktop studio cannot open; generating the demo with the CLI instead." >&2
  demo
fi
npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run --silent build
cargo build --release --locked -q -p intone-studio --bin intone-app --features tauri/custom-protocol
exec ./target/release/intone-app
