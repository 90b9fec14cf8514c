#!/usr/bin/env bash
# Tauri's beforeBundleCommand (tauri.conf.json): after `tauri build` has built
# both binaries and before it bundles, stages what the packages carry besides
# them, made by the `intone` just built, into target/package/:
#   man/intone.1.gz, man/intone-SUBCOMMAND.1.gz   man pages (clap_mangen)
#   completions/intone.bash, _intone, intone.fish  shell completions (clap_complete)
# Tauri sets TAURI_ENV_DEBUG=true for `tauri build --debug`.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
[[ "${TAURI_ENV_DEBUG:-false}" == "true" ]] && profile=debug
intone="target/$profile/intone"
[[ -x "$intone" ]] || { echo "package-stage: $intone is missing (tauri build builds it)" >&2; exit 1; }
# The packaged binaries keep their symbols (function names in backtraces) but not
# their DWARF line tables: the release app goes from 178 MB to 33 MB. (Tauri then
# writes the bundle type into the app binary, in place, as it always does.)
strip --strip-debug "target/$profile/intone" "target/$profile/intone-app"
out=target/package
rm -rf "$out"
mkdir -p "$out/man" "$out/completions"
"$intone" man-pages "$out/man" >/dev/null
gzip -9n "$out"/man/*.1
"$intone" completions bash >"$out/completions/intone.bash"
"$intone" completions zsh >"$out/completions/_intone"
"$intone" completions fish >"$out/completions/intone.fish"
echo "package-stage: $(ls "$out/man" | wc -l) man pages and 3 completion scripts in $out" >&2
