//! Continuing from audio that already exists: finding the key its last
//! seconds are in (so the next piece stays in it), and crossfading the new
//! take's first moments with its tail.

use std::path::Path;

use realfft::RealFftPlanner;

use super::prompt::Mode;
use crate::audio::{decode, resample};
use crate::error::Result;

/// Krumhansl–Kessler key profiles (Krumhansl, *Cognitive Foundations of
/// Musical Pitch*, 1990): how well each pitch class above the tonic fits.
const MAJOR_PROFILE: [f32; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
const MINOR_PROFILE: [f32; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

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
        for (bin, c) in spec.iter().enumerate().skip(1) {
            let f = bin as f32 * sr / n as f32;
            // Fundamentals of the bass to the melody; above, overtones (a
            // note's third partial is its fifth) would pull toward the dominant.
            if !(100.0..=1000.0).contains(&f) {
                continue;
            }
            let midi = 69.0 + 12.0 * (f / 440.0).log2();
            // Bins between two semitones belong to neither.
            if (midi - midi.round()).abs() > 0.3 {
                continue;
            }
            let pc = (midi.round() as i32).rem_euclid(12) as usize;
            chroma[pc] += c.norm().sqrt();
        }
        at += n / 2;
    }
    if chroma.iter().all(|&c| c <= 0.0) {
        return None;
    }
    let profile = match mode {
        Mode::Major | Mode::Lydian => MAJOR_PROFILE,
        Mode::Minor | Mode::Dorian => MINOR_PROFILE,
    };
    (0..12u8).max_by(|&a, &b| {
        correlation(&chroma, &profile, a).total_cmp(&correlation(&chroma, &profile, b))
    })
}

/// Pearson correlation of `chroma` with `profile` rotated to `tonic`.
fn correlation(chroma: &[f32; 12], profile: &[f32; 12], tonic: u8) -> f32 {
    let rot: Vec<f32> = (0..12)
        .map(|i| profile[(i + 12 - usize::from(tonic)) % 12])
        .collect();
    let mc = chroma.iter().sum::<f32>() / 12.0;
    let mp = rot.iter().sum::<f32>() / 12.0;
    let (mut num, mut dc, mut dp) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        num += (chroma[i] - mc) * (rot[i] - mp);
        dc += (chroma[i] - mc).powi(2);
        dp += (rot[i] - mp).powi(2);
    }
    num / (dc * dp).sqrt().max(1e-12)
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
