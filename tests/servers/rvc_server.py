#!/usr/bin/env python3
"""A stand-in for rvc-python's API server (`python -m rvc_python api`) for
Intone's tests.

No RVC weights can be had here, so this follows rvc-python's documented HTTP
API and stands in for inference with a plain, deterministic change: the audio
comes back at half amplitude with its polarity inverted.

  POST /convert {"audio_data": "<base64 WAV>"}  -> audio/wav
        400 {"detail": "No model loaded. Please load a model first."}
        500 {"detail": "An error occurred: ..."}
  GET  /models                    -> {"models": [...]}
  POST /models/{name}             -> {"message": "Model {name} loaded successfully"}; 400 unknown
  GET  /params                    -> the current parameters
  POST /params {"params": {...}}  -> {"message": "Parameters updated successfully"}

Test-only: --fail-first N makes the first N /convert answer 500;
--log FILE writes one JSON line per request (path, model, params).

Usage: rvc_server.py PORT [--fail-first N] [--log FILE]   (prints "PORT <n>" when ready)
"""

import base64
import io
import json
import struct
import sys
import threading
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODELS = ["alice", "bob"]
lock = threading.Lock()
state = {
    "model": None,
    "fail_first": 0,
    "log": None,
    "params": {"f0method": "rmvpe", "f0up_key": 0, "index_rate": 0.5, "filter_radius": 3,
               "resample_sr": 0, "rms_mix_rate": 1, "protect": 0.33},
}


def log(entry):
    if state["log"]:
        with lock, open(state["log"], "a") as f:
            f.write(json.dumps(entry) + "\n")


def convert(wav_bytes):
    with wave.open(io.BytesIO(wav_bytes), "rb") as r:
        ch, width, rate, n = r.getnchannels(), r.getsampwidth(), r.getframerate(), r.getnframes()
        frames = r.readframes(n)
    if width != 2:
        raise ValueError("only 16-bit PCM is read")
    count = len(frames) // 2
    samples = struct.unpack("<%dh" % count, frames)
    out = struct.pack("<%dh" % count, *(max(-32768, min(32767, -s // 2)) for s in samples))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(ch)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out)
    return buf.getvalue()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(n) or b"{}")

    def do_GET(self):
        if self.path == "/models":
            return self.send(200, {"models": MODELS})
        if self.path == "/params":
            return self.send(200, state["params"])
        self.send(404, {"detail": "Not Found"})

    def do_POST(self):
        if self.path.startswith("/models/"):
            name = self.path[len("/models/"):]
            log({"path": "/models", "model": name})
            if name not in MODELS:
                return self.send(400, {"detail": f"Model {name} not found"})
            state["model"] = name
            return self.send(200, {"message": f"Model {name} loaded successfully"})
        if self.path == "/params":
            p = self.body().get("params", {})
            unknown = [k for k in p if k not in state["params"]]
            if unknown:
                return self.send(400, {"detail": f"unknown parameter {unknown[0]}"})
            state["params"].update(p)
            log({"path": "/params", "params": p})
            return self.send(200, {"message": "Parameters updated successfully"})
        if self.path == "/convert":
            req = self.body()
            if not state["model"]:
                return self.send(400, {"detail": "No model loaded. Please load a model first."})
            with lock:
                fail = state["fail_first"] > 0
                if fail:
                    state["fail_first"] -= 1
            log({"path": "/convert", "model": state["model"], "params": dict(state["params"]), "failed": fail})
            if fail:
                return self.send(500, {"detail": "An error occurred: CUDA out of memory"})
            try:
                out = convert(base64.b64decode(req["audio_data"]))
            except Exception as e:  # noqa: BLE001 - the real server answers 500 too
                return self.send(500, {"detail": f"An error occurred: {e}"})
            return self.send(200, out, "audio/wav")
        self.send(404, {"detail": "Not Found"})


def main():
    args = sys.argv[1:]
    port = int(args[0])
    if "--fail-first" in args:
        state["fail_first"] = int(args[args.index("--fail-first") + 1])
    if "--log" in args:
        state["log"] = args[args.index("--log") + 1]
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
