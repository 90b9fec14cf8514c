#!/usr/bin/env bash
# The packaging test: builds the .deb (and .rpm) from the debug build the tests
# made, installs the .deb as a user does (apt resolves its dependencies), then,
# from an empty folder with a fresh HOME and with this checkout's target/ and
# .assets/ renamed away, uses what the package installed:
#   intone say (the Piper voice), intone generate of a packaged example with the
#   check on, the man pages and completions, and intone-app's window under Xvfb
#   (screenshots of the first run and of the finished batch, which must not be blank);
# then removes the package and checks nothing is left. The .rpm is installed
# with rpm --nodeps into a scratch root and its intone speaks from there.
# Needs root (apt-get, dpkg) and what `scripts/setup.sh --dev` installs.
# Screenshots go to $INTONE_PACKAGE_SHOTS (default /tmp/intone-package-shots).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
shots="${INTONE_PACKAGE_SHOTS:-/tmp/intone-package-shots}"
mkdir -p "$shots"
sudo=""
[[ "$(id -u)" -ne 0 ]] && sudo="sudo"
t0=$SECONDS
fail() { echo "test-package: FAILED: $*" >&2; exit 1; }

bash scripts/package.sh --debug
deb=$(ls -t target/debug/bundle/deb/*.deb | head -1)
rpm=$(ls -t target/debug/bundle/rpm/*.rpm | head -1)
echo "test-package: $deb ($(du -h "$deb" | cut -f1)), $rpm ($(du -h "$rpm" | cut -f1))" >&2
stage=$(mktemp -d /tmp/intone-pkgtest.XXXXXX)
cp "$deb" "$rpm" "$stage/"
deb="$stage/$(basename "$deb")"
rpm="$stage/$(basename "$rpm")"

restore() {
  cd "$repo"
  [[ -d target.pkgtest-away ]] && mv target.pkgtest-away target
  [[ -d .assets.pkgtest-away ]] && mv .assets.pkgtest-away .assets
  if dpkg-query -W -f='${Status}' intone 2>/dev/null | grep -q "install ok"; then
    $sudo dpkg -r intone >/dev/null || true
  fi
  pkill -f /usr/bin/intone-app 2>/dev/null || true
  return 0
}
trap restore EXIT

DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$deb" >/dev/null
mv target target.pkgtest-away
mv .assets .assets.pkgtest-away

work="$stage/work"
mkdir -p "$work/home"
cd "$work"
export HOME="$work/home"
unset INTONE_HOME INTONE_ASSETS ORT_DYLIB_PATH INTONE_VOICE_PATH INTONE_MODEL_PATH XDG_DATA_HOME XDG_CONFIG_HOME
[[ "$(command -v intone)" == /usr/bin/intone ]] || fail "intone is not /usr/bin/intone"
[[ -x /usr/bin/intone-app ]] || fail "no /usr/bin/intone-app"

# The packaged Piper voice is the default, and speaks.
intone voices --json >voices.json
python3 - <<'PY' || fail "the packaged Piper voice is not the default"
import json; v = json.load(open("voices.json"))
assert v["default"] == "piper:en_US-joe-medium", v["default"]
PY
intone say "Hello from the package." -o hello.wav
[[ "$(soxi -D hello.wav | cut -d. -f1)" -ge 1 ]] || fail "hello.wav is shorter than a second"

# The app's first run, before any batch (screenshot must not be blank).
app_shot() { # name
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    intone-app 2>>"$2" & app=$!
    for _ in $(seq 60); do xwininfo -root -tree | grep -q "\"Intone\"" && break; sleep 0.5; done
    sleep 6
    import -window root "$1"
    kill $app; wait $app 2>/dev/null || true' _ "$shots/$1.png" "$work/app.log"
  local sd
  sd=$(convert "$shots/$1.png" -colorspace Gray -format "%[fx:standard_deviation]" info:)
  python3 -c "import sys; sys.exit(0 if float('$sd') > 0.02 else 1)" || fail "$1.png is blank (deviation $sd)"
  echo "test-package: $shots/$1.png (deviation $sd)" >&2
}
app_shot first-run

# A packaged example, with the check on (the default), from the command line.
cp /usr/lib/Intone/examples/evening-wind-down.md demo.md
# Exit 0: every track completed. The summary says the recognizer heard every sentence.
intone generate demo.md >generate.txt 2>&1 || { cat generate.txt >&2; fail "intone generate demo.md"; }
grep -Eq "Every sentence checked|flagged by the speech recognizer" generate.txt ||
  { cat generate.txt >&2; fail "the batch was not checked"; }
app_shot installed-batch

# Man pages, completions, desktop entry.
for f in /usr/share/man/man1/intone.1.gz /usr/share/man/man1/intone-generate.1.gz \
  /usr/share/bash-completion/completions/intone /usr/share/zsh/vendor-completions/_intone \
  /usr/share/fish/vendor_completions.d/intone.fish; do
  [[ -s "$f" ]] || fail "$f is missing"
done
zcat /usr/share/man/man1/intone-generate.1.gz >"$work/intone-generate.1"
grep -q 'variant' "$work/intone-generate.1" || fail "intone-generate(1) does not document --variant"
bash -c 'source /usr/share/bash-completion/completions/intone && complete -p intone' >/dev/null ||
  fail "the bash completion does not load"
desktop=$(ls /usr/share/applications/*.desktop | xargs grep -l "Exec=intone-app" | head -1)
grep -q "MimeType=text/markdown" "$desktop" || fail "$desktop has no MimeType for scripts"

# Removal leaves nothing behind.
cd "$repo"
$sudo dpkg -r intone >/dev/null
for p in /usr/bin/intone /usr/bin/intone-app /usr/lib/Intone; do
  [[ ! -e "$p" ]] || fail "$p is still there after dpkg -r"
done

# The .rpm: its paths, its dependencies, and its intone speaking from a scratch root.
rpm -qlp "$rpm" >"$work/rpm-files.txt" 2>/dev/null
for p in /usr/bin/intone /usr/bin/intone-app /usr/lib/Intone/voices/en_US-joe-medium.onnx \
  /usr/lib/Intone/runtime/libonnxruntime.so.1.32.0 /usr/lib/Intone/models/ggml-tiny.en.bin \
  /usr/share/man/man1/intone.1.gz /usr/share/zsh/site-functions/_intone; do
  grep -qx "$p" "$work/rpm-files.txt" || fail "the .rpm lacks $p"
done
rpm -qp --requires "$rpm" 2>/dev/null | grep -q espeak-ng || fail "the .rpm does not require espeak-ng"
root="$stage/rpmroot"
mkdir -p "$root"
rpm --root "$root" --initdb 2>/dev/null
rpm --root "$root" -i --nodeps --noscripts "$rpm" 2>/dev/null
INTONE_ASSETS="$root/usr/lib/Intone" HOME="$work/home2" "$root/usr/bin/intone" say "Hello from the R P M." -o "$work/rpm.wav"
[[ "$(soxi -D "$work/rpm.wav" | cut -d. -f1)" -ge 1 ]] || fail "the .rpm's intone did not speak"

rm -rf "$stage"
echo "test-package: passed in $((SECONDS - t0)) s" >&2
