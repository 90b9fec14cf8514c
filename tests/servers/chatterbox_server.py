#!/usr/bin/env python3
"""A stand-in for Chatterbox-TTS-Server (devnen) for Intone's tests.

The real server needs PyTorch weights that cannot be fetched here. This one
follows its documented HTTP API exactly — POST /tts (CustomTTSRequest),
GET /get_predefined_voices, GET /get_reference_files, POST /upload_reference
(multipart field "files"), GET /api/model-info — and answers /tts with a
deterministic speech-like WAV at 24 kHz (Chatterbox's native rate) whose
length follows the text and speed_factor.

Test-only additions:
  POST /_control {"mode": "ok|500|slow|truncate|garbage", "count": N, "delay_s": S}
      the next N /tts requests fail that way (N = -1: until changed)
  --log FILE   one JSON line per /tts request, for assertions

Usage: chatterbox_server.py PORT DATA_DIR [--log FILE]   (prints "PORT <n>" when ready)
"""

import io
import json
import math
import os
import struct
import sys
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREDEFINED = [
    {"display_name": "Emily", "filename": "Emily.wav"},
    {"display_name": "Adrian", "filename": "Adrian.wav"},
]
RATE = 24000
lock = threading.Lock()
control = {"mode": "ok", "count": 0, "delay_s": 0.0}


def speechlike_wav(text, seed, speed, voice):
    """16-bit mono WAV: voiced 'syllables' on a pitch that depends on voice and seed."""
    seconds = max(0.3, (0.06 * len(text) + 0.2) / max(speed, 0.25))
    n = int(seconds * RATE)
    f0 = 110.0 + (sum(voice.encode()) % 60) + (seed % 7)
    frames = bytearray()
    for i in range(n):
        t = i / RATE
        syllable = max(0.0, math.sin(2 * math.pi * 4.0 * t))
        s = sum(math.sin(2 * math.pi * f0 * k * t) / k for k in range(1, 6))
        frames += struct.pack("<h", int(8000 * syllable * s / 2.3))
    out = io.BytesIO()
    out.write(b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE")
    out.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, RATE, RATE * 2, 2, 16))
    out.write(b"data" + struct.pack("<I", len(frames)) + frames)
    return out.getvalue()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "uvicorn"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def detail(self, status, message):
        self.reply(status, {"detail": message})

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def refs_dir(self):
        d = os.path.join(self.server.data_dir, "reference_audio")
        os.makedirs(d, exist_ok=True)
        return d

    def do_GET(self):
        if self.path == "/api/model-info":
            return self.reply(200, {"loaded": True, "type": "chatterbox", "class_name": "ChatterboxTTS"})
        if self.path == "/get_predefined_voices":
            return self.reply(200, PREDEFINED)
        if self.path == "/get_reference_files":
            files = sorted(f for f in os.listdir(self.refs_dir()) if f.lower().endswith((".wav", ".mp3")))
            return self.reply(200, files)
        return self.detail(404, "Not Found")

    def do_POST(self):
        if self.path == "/_control":
            with lock:
                control.update(json.loads(self.body() or b"{}"))
            return self.reply(200, control)
        if self.path == "/upload_reference":
            return self.upload()
        if self.path == "/tts":
            return self.tts()
        return self.detail(404, "Not Found")

    def upload(self):
        ctype = self.headers.get("Content-Type", "")
        raw = self.body()
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        uploaded, errors = [], []
        for part in msg.iter_parts():
            if part.get_param("name", header="content-disposition") != "files":
                continue
            name = os.path.basename(part.get_filename() or "")
            if not name:
                errors.append({"filename": "Unknown", "error": "File received with no filename."})
            elif not name.lower().endswith((".wav", ".mp3")):
                errors.append({"filename": name, "error": "Invalid file type. Only .wav and .mp3 are allowed."})
            else:
                with open(os.path.join(self.refs_dir(), name), "wb") as f:
                    f.write(part.get_payload(decode=True))
                uploaded.append(name)
        all_refs = sorted(os.listdir(self.refs_dir()))
        status = 200 if not errors or uploaded else 400
        self.reply(status, {"message": f"Processed {len(uploaded) + len(errors)} file(s).",
                            "uploaded_files": uploaded, "all_reference_files": all_refs, "errors": errors})

    def tts(self):
        try:
            req = json.loads(self.body())
        except ValueError:
            return self.reply(422, {"detail": [{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}]})
        text = req.get("text") or ""
        if not text:
            return self.reply(422, {"detail": [{"loc": ["body", "text"], "msg": "String should have at least 1 character", "type": "string_too_short"}]})
        chunk = req.get("chunk_size", 120)
        if chunk is not None and not 50 <= chunk <= 500:
            return self.reply(422, {"detail": [{"loc": ["body", "chunk_size"], "msg": "Input should be between 50 and 500", "type": "range"}]})
        mode = req.get("voice_mode", "predefined")
        if mode == "predefined":
            vid = req.get("predefined_voice_id")
            if not vid:
                return self.detail(400, "Missing 'predefined_voice_id' for 'predefined' voice mode.")
            if vid not in [v["filename"] for v in PREDEFINED]:
                return self.detail(404, f"Predefined voice file '{vid}' not found.")
            voice = vid
        elif mode == "clone":
            ref = req.get("reference_audio_filename")
            if not ref:
                return self.detail(400, "Missing 'reference_audio_filename' for 'clone' voice mode.")
            if not os.path.isfile(os.path.join(self.refs_dir(), ref)):
                return self.detail(404, f"Reference audio file '{ref}' not found.")
            voice = ref
        else:
            return self.reply(422, {"detail": [{"loc": ["body", "voice_mode"], "msg": "Input should be 'predefined' or 'clone'", "type": "literal_error"}]})
        with lock:
            mode_now = control["mode"] if control["count"] != 0 else "ok"
            if control["count"] > 0:
                control["count"] -= 1
            delay = float(control.get("delay_s") or 0)
        if self.server.log_path:
            with lock, open(self.server.log_path, "a") as f:
                f.write(json.dumps({**req, "_injected": mode_now}) + "\n")
        if mode_now == "500":
            return self.detail(500, "TTS engine failed to synthesize audio for chunk 1.")
        if mode_now == "slow":
            time.sleep(delay)
        wav = speechlike_wav(text, int(req.get("seed") or 0), float(req.get("speed_factor") or 1.0), voice)
        if mode_now == "truncate":
            wav = wav[: len(wav) // 3]
        if mode_now == "garbage":
            wav = b"<html><body>Internal error</body></html>"
        # The real server streams audio; some proxies relabel it. Intone must sniff bytes.
        self.reply(200, wav, ctype="text/html")
        if self.server.log_path and mode_now == "ok":
            with lock, open(self.server.log_path, "a") as f:
                f.write(json.dumps({"_delivered": text, "speed_factor": req.get("speed_factor")}) + "\n")


def main():
    port = int(sys.argv[1])
    data_dir = sys.argv[2]
    log_path = sys.argv[sys.argv.index("--log") + 1] if "--log" in sys.argv else None
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.data_dir = data_dir
    server.log_path = log_path
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
