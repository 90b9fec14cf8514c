//! Continuing from audio that already exists: finding the key its last
//! seconds are in (so the next piece stays in it), and crossfading the new
//! take's first moments with its tail.

use std::path::Path;

use realfft::RealFftPlanner;

use super::prompt::Mode;
use crate::audio::{decode, resample};
use crate::error::Result;

/// Seconds of the tail a continuation analyses for its key.
pub const TAIL_S: f32 = 8.0;

/// The tonic pitch class (0 = C) that best fits the last `tail_s` seconds
/// of the audio at `path` in `mode` (Krumhansl–Schmuckler: the rotation of the
/// mode's profile that correlates best with the tail's chroma). `None` when
/// the file cannot be read or is silent.
pub fn tail_tonic(path: &Path, mode: Mode, tail_s: f32) -> Option<u8> {
    let clip = decode::decode_file(path).ok()?;
    let mono = clip.with_channels(1);
    let sr = mono.sample_rate_hz as f32;
    let n = 8192usize;
    let tail = ((tail_s * sr) as usize).min(mono.samples.len());
    let x = &mono.samples[mono.samples.len() - tail..];
    if x.len() < n {
        return None;
    }
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n);
    let mut input = fft.make_input_vec();
    let mut spec = fft.make_output_vec();
    let mut chroma = [0f32; 12];
    let mut at = 0;
    while at + n <= x.len() {
        for (i, v) in input.iter_mut().enumerate() {
            let w = 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / n as f32).cos();
            *v = x[at + i] * w;
        }
        fft.process(&mut input, &mut spec).ok()?;
        super::analysis::add_chroma(&mut chroma, &spec, sr);
        at += n / 2;
    }
    super::analysis::best_tonic(&chroma, mode)
}

/// The tail of earlier audio, faded out (equal power) over the first frames
/// of a new take as they pass through [`Overlap::apply`].
pub struct Overlap {
    tail: Vec<f32>,
    frames: usize,
    at: usize,
}

impl Overlap {
    /// Nothing to overlap.
    pub fn none() -> Self {
        Self {
            tail: Vec::new(),
            frames: 0,
            at: 0,
        }
    }

    /// The last `overlap_ms` of `path`, as stereo at `sample_rate_hz`.
    ///
    /// # Errors
    /// [`crate::Error::Audio`] naming a file that cannot be decoded.
    pub fn open(path: &Path, overlap_ms: u32, sample_rate_hz: u32) -> Result<Self> {
        let clip =
            resample::resample(&decode::decode_file(path)?.with_channels(2), sample_rate_hz)?;
        let want = (u64::from(overlap_ms) * u64::from(sample_rate_hz) / 1000) as usize;
        let frames = want.min(clip.samples.len() / 2);
        let tail = clip.samples[clip.samples.len() - frames * 2..].to_vec();
        Ok(Self {
            tail,
            frames,
            at: 0,
        })
    }

    /// Mixes the tail into `block` (interleaved stereo): the tail fades out
    /// as `cos`, the new audio fades in as `sin`, so their power stays level.
    pub fn apply(&mut self, block: &mut [f32]) {
        for frame in block.chunks_exact_mut(2) {
            if self.at >= self.frames {
                return;
            }
            let t = (self.at as f32 + 0.5) / self.frames as f32 * std::f32::consts::FRAC_PI_2;
            let (fade_in, fade_out) = t.sin_cos();
            for (c, s) in frame.iter_mut().enumerate() {
                *s = *s * fade_in + self.tail[self.at * 2 + c] * fade_out;
            }
            self.at += 1;
        }
    }
}
