#!/usr/bin/env bash
# Installs what is missing, builds Intone, and runs it.
#   scripts/run.sh                 generate the life-vision fixture (voice + sleep variants) as a demo
#   scripts/run.sh ARGS...         run `intone ARGS...` (e.g. scripts/run.sh generate my.md --variant sleep)
# The demo's home is ./.intone-demo unless INTONE_HOME is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --locked -q -p intone-cli
# Put the built-in voice and ONNX Runtime (installed by setup in .assets/) next to
# the executable, where Intone looks for them, as a packaged app ships them.
ln -sfn "$PWD/.assets/voices" target/release/voices
ln -sfn "$PWD/.assets/runtime" target/release/runtime
if (($#)); then
  exec ./target/release/intone "$@"
fi
export INTONE_HOME="${INTONE_HOME:-$PWD/.intone-demo}"
script="../shared/fixtures/scripts/life-vision.md"
[[ -f "$script" ]] || { echo "run: $script not found (the shared folder sits beside this checkout)" >&2; exit 1; }
exec ./target/release/intone generate "$script" --variant voice --variant sleep
