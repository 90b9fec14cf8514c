#!/usr/bin/env python3
"""Re-lays a CTranslate2 Whisper model as the ggml file whisper.cpp loads.

Usage: whisper-ggml.py CT2_MODEL_DIR WHISPER_SDIST_ASSETS_DIR OUT.bin

Input, CTranslate2's `model.bin` (binary version 6, written by
`ctranslate2/specs/model_spec.py::_serialize`):
  u32 version, str name, u32 revision, u32 n_vars,
  n_vars x (str name, u8 ndim, ndim x u32 dim, u8 dtype, u32 nbytes, bytes),
  u32 n_aliases, n_aliases x (str alias, str target)
where str is u16 length (with the NUL) + UTF-8 + NUL and dtype indexes
(float32, int8, int16, int32, float16, bfloat16). Tensor names follow
`specs/whisper_spec.py`: attention projections are fused (self-attention
`linear_0` = [q; k; v], cross-attention `linear_1` = [k; v]).

Output, the ggml layout of whisper.cpp's `models/convert-pt-to-ggml.py`:
  i32 magic 0x67676d6c, 11 x i32 hparams (n_vocab, n_audio_ctx, n_audio_state,
  n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head,
  n_text_layer, n_mels, ftype=1), the mel filter bank (i32 rows, i32 cols,
  f32 values), the byte-level vocabulary (i32 count, count x (i32 len, bytes)),
  then each tensor as (i32 ndim, i32 name length, i32 ftype, dims innermost
  first, name, data): float16 for matrices, float32 for vectors, conv biases
  (as [n, 1]) and positional embeddings, with OpenAI Whisper's tensor names.

The mel filters (`mel_filters.npz`, 80 x 201) and the GPT-2 vocabulary
(`gpt2.tiktoken`) come from OpenAI's `openai-whisper` source release, as
whisper.cpp's own converter takes them. No third-party Python module is used.
"""

import base64
import io
import struct
import sys
import zipfile
from pathlib import Path


def fail(message):
    sys.exit(f"whisper-ggml: {message}")


def read_ct2(path):
    """Returns (tensors: name -> (shape, dtype, bytes), aliases: name -> target)."""
    data = path.read_bytes()
    pos = 0

    def take(fmt):
        nonlocal pos
        size = struct.calcsize("<" + fmt)
        if pos + size > len(data):
            fail(f"{path}: ends inside a header at byte {pos}")
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += size
        return values

    def string():
        nonlocal pos
        (n,) = take("H")
        raw = data[pos : pos + n]
        pos += n
        return raw.rstrip(b"\0").decode("utf-8")

    (version,) = take("I")
    if version != 6:
        fail(f"{path}: CTranslate2 binary version {version}, only 6 is read")
    spec = string()
    if spec != "WhisperSpec":
        fail(f"{path}: a {spec}, not a WhisperSpec")
    take("I")  # spec revision
    (count,) = take("I")
    tensors = {}
    for _ in range(count):
        name = string()
        (ndim,) = take("B")
        shape = take("I" * ndim) if ndim else ()
        (dtype,) = take("B")
        (nbytes,) = take("I")
        if pos + nbytes > len(data):
            fail(f"{path}: tensor {name} runs past the end of the file")
        tensors[name] = (shape, dtype, data[pos : pos + nbytes])
        pos += nbytes
    (n_alias,) = take("I")
    aliases = dict((string(), string()) for _ in range(n_alias))
    return tensors, aliases


def read_npy(raw):
    """Returns (shape, little-endian f32 bytes) of a version 1/2 .npy array."""
    if raw[:6] != b"\x93NUMPY":
        fail("mel_filters.npz holds a member that is not a .npy array")
    major = raw[6]
    if major == 1:
        (hlen,) = struct.unpack_from("<H", raw, 8)
        start = 10
    else:
        (hlen,) = struct.unpack_from("<I", raw, 8)
        start = 12
    header = eval(raw[start : start + hlen].decode("latin1"), {"__builtins__": {}})  # a dict literal
    if header["descr"] != "<f4" or header["fortran_order"]:
        fail(f"mel filters are {header['descr']}, expected C-ordered <f4")
    return header["shape"], raw[start + hlen :]


HALF = struct.Struct("<e")


def to_f32(dtype, raw):
    if dtype == 0:
        return raw
    if dtype != 4:
        fail(f"tensor dtype {dtype} is not float16 or float32")
    n = len(raw) // 2
    return struct.pack(f"<{n}f", *struct.unpack(f"<{n}e", raw))


def to_f16(dtype, raw):
    if dtype == 4:
        return raw
    if dtype != 0:
        fail(f"tensor dtype {dtype} is not float16 or float32")
    n = len(raw) // 4
    return struct.pack(f"<{n}e", *struct.unpack(f"<{n}f", raw))


def main():
    if len(sys.argv) != 4:
        fail("usage: whisper-ggml.py CT2_MODEL_DIR WHISPER_ASSETS_DIR OUT.bin")
    ct2_dir, assets, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    tensors, _aliases = read_ct2(ct2_dir / "model.bin")

    def get(name):
        if name not in tensors:
            fail(f"{ct2_dir / 'model.bin'} has no tensor {name}")
        return tensors[name]

    def n_layers(side):
        parts = {k.split("/")[1] for k in tensors if k.startswith(f"{side}/layer_")}
        return len({p for p in parts if p[len("layer_"):].isdigit()})

    def scalar(name):
        shape, dtype, raw = get(name)
        return struct.unpack("<h" if dtype == 2 else "<i", raw)[0]

    n_vocab, n_text_state = get("decoder/embeddings/weight")[0]
    n_audio_ctx, n_audio_state = get("encoder/position_encodings/encodings")[0]
    n_text_ctx = get("decoder/position_encodings/encodings")[0][0]
    n_mels = get("encoder/conv1/weight")[0][1]
    hparams = [
        n_vocab, n_audio_ctx, n_audio_state, scalar("encoder/num_heads"), n_layers("encoder"),
        n_text_ctx, n_text_state, scalar("decoder/num_heads"), n_layers("decoder"), n_mels, 1,
    ]

    with zipfile.ZipFile(assets / "mel_filters.npz") as npz:
        mel_shape, mel = read_npy(npz.read(f"mel_{n_mels}.npy"))
    vocab_file = "multilingual.tiktoken" if n_vocab >= 51865 else "gpt2.tiktoken"
    vocab = [
        base64.b64decode(token)
        for token, _rank in (line.split() for line in (assets / vocab_file).read_bytes().splitlines() if line)
    ]

    buf = io.BytesIO()
    w = buf.write
    w(struct.pack("<i", 0x67676D6C))
    w(struct.pack("<11i", *hparams))
    w(struct.pack("<ii", *mel_shape))
    w(mel)
    w(struct.pack("<i", len(vocab)))
    for token in vocab:
        w(struct.pack("<i", len(token)))
        w(token)

    def put(name, shape, dtype, raw, f32=False):
        if len(shape) < 2:
            f32 = True
        payload = to_f32(dtype, raw) if f32 else to_f16(dtype, raw)
        key = name.encode()
        w(struct.pack("<iii", len(shape), len(key), 0 if f32 else 1))
        w(struct.pack(f"<{len(shape)}i", *reversed(shape)))
        w(key)
        w(payload)

    def rows(name, start, count):
        """Rows [start, start+count) of a fused [rows, cols] matrix or [rows] bias."""
        shape, dtype, raw = get(name)
        width = 2 if dtype == 4 else 4
        per_row = width * (shape[1] if len(shape) == 2 else 1)
        part = raw[start * per_row : (start + count) * per_row]
        return ((count,) + tuple(shape[1:])), dtype, part

    def copy(dst, src, f32=False):
        shape, dtype, raw = get(src)
        put(dst, shape, dtype, raw, f32)

    def layer_norm(dst, src):
        copy(f"{dst}.weight", f"{src}/gamma")
        copy(f"{dst}.bias", f"{src}/beta")

    def linear(dst, src, start=None, count=None, bias=True):
        if start is None:
            copy(f"{dst}.weight", f"{src}/weight")
            if bias:
                copy(f"{dst}.bias", f"{src}/bias")
            return
        put(f"{dst}.weight", *rows(f"{src}/weight", start, count))
        if bias:
            put(f"{dst}.bias", *rows(f"{src}/bias", start, count))
        else:
            _, dtype, raw = rows(f"{src}/bias", start, count)
            values = struct.unpack(f"<{len(raw) // (2 if dtype == 4 else 4)}{'e' if dtype == 4 else 'f'}", raw)
            if any(v != 0.0 for v in values):
                fail(f"{src}: the key projection has a bias, which Whisper does not")

    def ffn(dst, src):
        layer_norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")

    def self_attention(dst, src, d):
        layer_norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        fused = f"{src}/self_attention/linear_0"
        linear(f"{dst}.attn.query", fused, 0, d)
        linear(f"{dst}.attn.key", fused, d, d, bias=False)
        linear(f"{dst}.attn.value", fused, 2 * d, d)
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")

    for conv in ("conv1", "conv2"):
        copy(f"encoder.{conv}.weight", f"encoder/{conv}/weight")
        shape, dtype, raw = get(f"encoder/{conv}/bias")
        put(f"encoder.{conv}.bias", (shape[0], 1), dtype, raw, f32=True)
    copy("encoder.positional_embedding", "encoder/position_encodings/encodings", f32=True)
    for i in range(hparams[4]):
        self_attention(f"encoder.blocks.{i}", f"encoder/layer_{i}", n_audio_state)
        ffn(f"encoder.blocks.{i}", f"encoder/layer_{i}")
    layer_norm("encoder.ln_post", "encoder/layer_norm")

    copy("decoder.positional_embedding", "decoder/position_encodings/encodings", f32=True)
    copy("decoder.token_embedding.weight", "decoder/embeddings/weight")
    for i in range(hparams[8]):
        src, dst, d = f"decoder/layer_{i}", f"decoder.blocks.{i}", n_text_state
        self_attention(dst, src, d)
        layer_norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        linear(f"{dst}.cross_attn.key", f"{src}/attention/linear_1", 0, d, bias=False)
        linear(f"{dst}.cross_attn.value", f"{src}/attention/linear_1", d, d)
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        ffn(dst, src)
    layer_norm("decoder.ln", "decoder/layer_norm")

    tmp = out.with_suffix(out.suffix + ".part")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)


if __name__ == "__main__":
    main()
