"""A small Cog predictor with Riffusion's input and output schema, for Intone's tests.

The schema is the riffusion Cog model's (`integrations/cog_riffusion.py` and
`cog.yaml` in riffusion/riffusion, commit 2695af97): inputs `prompt_a`,
`denoising`, `prompt_b`, `alpha`, `num_inference_steps` and `seed_image_id`
(the sorted names of its 11 seed spectrogram PNGs), output
`{audio, spectrogram, error}`: a mono 44.1 kHz WAV of about 5.11 s (512
spectrogram columns at a 10 ms hop) and a JPEG of its spectrogram. Each
prediction draws new random seeds, as Riffusion's does; without `prompt_b`
it uses `prompt_a` and alpha 0.

It makes its audio itself, so it runs here: a 120 BPM clip (kick on the beat,
hats on the off-beats, a chord whose root moves from prompt_a's to prompt_b's
as alpha goes from 0 to 1; the seed image picks the rhythm), drawn as a
spectrogram by ffmpeg. With `INTONE_TEST_COG_LOG` set, each
prediction's inputs are appended to that file as a JSON line.
"""

import json
import math
import os
import random
import struct
import subprocess
import tempfile
import wave
from typing import Optional

from cog import BaseModel, BasePredictor, Input, Path

SEED_IMAGES = [
    "agile",
    "marim",
    "mask_beat_lines_80",
    "mask_gradient_dark",
    "mask_gradient_top_70",
    "mask_gradient_top_fifth_75",
    "mask_top_third_75",
    "mask_top_third_95",
    "motorway",
    "og_beat",
    "vibes",
]

RATE = 44100
CLIP_S = 5.11  # a 512-pixel-wide spectrogram at Riffusion's hop
BPM = 120.0


class Output(BaseModel):
    audio: Path
    spectrogram: Path
    error: Optional[str] = None


def root_of(prompt: str) -> float:
    """A root frequency from the prompt's words (A2 to E3)."""
    h = sum(ord(c) * (i + 1) for i, c in enumerate(prompt or ""))
    return 110.0 * 2 ** ((h % 8) / 12.0)


class Predictor(BasePredictor):
    def setup(self):
        self.count = 0

    def predict(
        self,
        prompt_a: str = Input(description="The prompt for your audio", default="funky synth solo"),
        denoising: float = Input(description="How much to transform input spectrogram", default=0.75, ge=0, le=1),
        prompt_b: str = Input(
            description="The second prompt to interpolate with the first,leave blank if no interpolation",
            default=None,
        ),
        alpha: float = Input(
            description="Interpolation alpha if using two prompts.A value of 0 uses prompt_a fully, a value of 1 uses prompt_b fully",
            default=0.5,
            ge=0,
            le=1,
        ),
        num_inference_steps: int = Input(description="Number of steps to run the diffusion model", default=50, ge=1),
        seed_image_id: str = Input(description="Seed spectrogram to use", default="vibes", choices=SEED_IMAGES),
    ) -> Output:
        self.count += 1
        log = os.environ.get("INTONE_TEST_COG_LOG")
        if log:
            with open(log, "a") as f:
                f.write(json.dumps({"prompt_a": prompt_a, "prompt_b": prompt_b, "alpha": alpha, "seed_image_id": seed_image_id}) + "\n")
        if not prompt_b:
            prompt_b = prompt_a
            alpha = 0
        rng = random.Random()
        a = root_of(prompt_a)
        b = root_of(prompt_b or prompt_a)
        root = a * (b / a) ** alpha
        beat = 60.0 / BPM
        pattern = SEED_IMAGES.index(seed_image_id) % 3
        wobble = 0.02 * denoising * rng.random()
        frames = []
        for i in range(int(CLIP_S * RATE)):
            t = i / RATE
            pos = t % beat
            kick = math.sin(2 * math.pi * 55 * pos * (1 + 3 * math.exp(-pos * 40))) * math.exp(-pos * 12)
            off = (t + beat / 2) % beat
            hat = (rng.random() * 2 - 1) * math.exp(-off * 60) * 0.25 * (pattern != 2)
            chord = sum(
                math.sin(2 * math.pi * root * (1 + wobble) * r * t) for r in (1.0, 1.26, 1.5, 2.0)
            ) * 0.08
            s = 0.5 * kick + hat + chord
            v = int(max(-1.0, min(1.0, s)) * 32767)
            frames.append(struct.pack("<h", v))
        work = tempfile.mkdtemp(prefix="riffusion-")
        wav = os.path.join(work, "gen_sound.wav")
        with wave.open(wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(b"".join(frames))
        jpg = os.path.join(work, "spectrogram.jpg")
        quiet = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", wav]
        subprocess.run(quiet + ["-lavfi", "showspectrumpic=s=512x512:legend=0", jpg], check=True)
        return Output(audio=Path(wav), spectrogram=Path(jpg))
