"""A small Cog predictor with meta/musicgen's input schema, for Intone's tests.

It returns real audio (a seeded chord progression of sine partials, 32 kHz
stereo WAV), continues `input_audio` the way MusicGen does (the prompt audio,
then the new part), and fails on request: a prompt containing "refuse"
raises, so the prediction comes back as HTTP 200 with status "failed".
Each prediction takes about a second (`INTONE_TEST_COG_SLEEP_S` sets it),
so concurrent takes meet Cog's one-slot 409. With
`INTONE_TEST_COG_SETUP_FAIL` set, `setup()` raises and the server reports
SETUP_FAILED.
"""

import math
import os
import random
import struct
import time
import wave

from cog import BasePredictor, Input, Path


class Predictor(BasePredictor):
    def setup(self):
        if os.environ.get("INTONE_TEST_COG_SETUP_FAIL"):
            raise RuntimeError("the weights are missing (as asked by the test)")
        self.count = 0
        self.sleep_s = float(os.environ.get("INTONE_TEST_COG_SLEEP_S", "1.0"))

    def predict(
        self,
        model_version: str = Input(
            description="Model to use for generation",
            default="stereo-melody-large",
            choices=["stereo-melody-large", "stereo-large", "melody-large", "large"],
        ),
        prompt: str = Input(description="A description of the music you want to generate.", default=None),
        input_audio: Path = Input(description="An audio file that will influence the generated music.", default=None),
        duration: int = Input(description="Duration of the generated audio in seconds.", default=8),
        continuation: bool = Input(description="If `True`, generated music will continue `input_audio`.", default=False),
        continuation_start: int = Input(description="Start time of the audio file to use for continuation.", default=0, ge=0),
        continuation_end: int = Input(description="End time of the audio file to use for continuation.", default=None, ge=0),
        multi_band_diffusion: bool = Input(description="If `True`, the EnCodec tokens will be decoded with MultiBand Diffusion.", default=False),
        normalization_strategy: str = Input(
            description="Strategy for normalizing audio.",
            default="loudness",
            choices=["loudness", "clip", "peak", "rms"],
        ),
        top_k: int = Input(description="Reduces sampling to the k most likely tokens.", default=250),
        top_p: float = Input(description="Reduces sampling to tokens with cumulative probability of p.", default=0.0),
        temperature: float = Input(description="Controls the 'conservativeness' of the sampling process.", default=1.0),
        classifier_free_guidance: int = Input(description="Increases the influence of inputs on the output.", default=3),
        output_format: str = Input(description="Output format for generated audio.", default="wav", choices=["wav", "mp3"]),
        seed: int = Input(description="Seed for random generator.", default=None),
    ) -> Path:
        self.count += 1
        if prompt and "refuse" in prompt:
            raise ValueError("the model refused this prompt")
        time.sleep(self.sleep_s)
        rng = random.Random(seed if seed is not None else 0)
        rate = 32000
        head = []
        if continuation and input_audio is not None:
            with wave.open(str(input_audio), "rb") as w:
                rate = w.getframerate()
                ch = w.getnchannels()
                raw = w.readframes(w.getnframes())
            vals = struct.unpack("<%dh" % (len(raw) // 2), raw)
            head = [(vals[i], vals[i + ch - 1]) for i in range(0, len(vals), ch)]
        roots = [rng.choice([220.0, 246.9, 261.6, 293.7, 329.6]) for _ in range(16)]
        frames = []
        for i in range(int(duration * rate)):
            t = i / rate
            bar = int(t / 2.0) % len(roots)
            f = roots[bar]
            env = 0.5 - 0.5 * math.cos(2 * math.pi * min(t % 2.0, 1.0) / 2.0)
            s = sum(math.sin(2 * math.pi * f * k * t) / k for k in (1, 1.5, 2)) * 0.15 * (0.3 + 0.7 * env)
            v = int(max(-1.0, min(1.0, s)) * 32767)
            frames.append((v, v))
        out = "/tmp/intone-cog-%d-%d.wav" % (os.getpid(), self.count)
        with wave.open(out, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(b"".join(struct.pack("<hh", l, r) for l, r in head + frames))
        return Path(out)
