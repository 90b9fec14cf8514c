"""A stand-in for OpenAI-compatible speech servers that list their voices in
different places and shapes (OpenAI's API itself has no voice-list route).

It follows OpenAI's documented speech API where one exists:
  POST /v1/audio/speech  {model, input, voice, response_format, speed}
       -> audio/wav; an unknown voice -> 400 {"error": {"message", "type"}}
  GET  /v1/models        -> {"object": "list", "data": [{"id", "object"}]}
and lists voices only where told to:
  --list ROUTE BODY      GET ROUTE answers BODY (JSON text); repeatable
Every other GET answers a web UI's HTML page with 200, as single-page apps do.

  --speaks ID            a voice the server can speak (repeatable)
  --log FILE             appends the voice of every speech request, a line each

The audio is a 220 Hz tone at 22 050 Hz, 60 ms per input character, so a
test can tell the server's audio from anything else.
"""

import argparse
import io
import json
import math
import struct
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = b"<!doctype html><html><head><title>TTS</title></head><body><div id=app></div></body></html>"


def tone_wav(chars: int) -> bytes:
    rate = 22050
    n = int(rate * max(0.3, 0.06 * chars))
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n)
    )
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--list", nargs=2, action="append", default=[], metavar=("ROUTE", "BODY"))
    ap.add_argument("--speaks", action="append", default=[])
    ap.add_argument("--log")
    args = ap.parse_args()
    lists = {route: body.encode() for route, body in args.list}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def send(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path in lists:
                self.send(200, lists[self.path], "application/json")
            elif self.path == "/v1/models":
                body = {"object": "list", "data": [{"id": "tts-1", "object": "model"}]}
                self.send(200, json.dumps(body).encode(), "application/json")
            else:
                self.send(200, HTML, "text/html")

        def do_POST(self):
            if self.path != "/v1/audio/speech":
                self.send(404, b'{"detail":"Not Found"}', "application/json")
                return
            req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            voice = req.get("voice", "")
            if args.log:
                with open(args.log, "a", encoding="utf-8") as f:
                    f.write(voice + "\n")
            if voice not in args.speaks:
                err = {"error": {"message": f"voice '{voice}' not found", "type": "invalid_request_error"}}
                self.send(400, json.dumps(err).encode(), "application/json")
                return
            self.send(200, tone_wav(len(req.get("input", ""))), "audio/wav")

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
