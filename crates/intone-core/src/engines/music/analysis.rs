//! What a take is: its tempo and key, known from the composer's plan or
//! estimated from the audio of a model's take.
//!
//! - **Tempo**: an onset-strength envelope (log-magnitude spectral flux,
//!   half-wave rectified: Böck, Krebs & Schedl, "Evaluating the online
//!   capabilities of onset detection methods", ISMIR 2012) whose
//!   autocorrelation is weighted by a log-Gaussian tempo prior centred on
//!   120 BPM, 1.4 octaves wide (Ellis, "Beat tracking by dynamic
//!   programming", J. New Music Research 36(1), 2007, §3.1). The period is
//!   refined from the autocorrelation peak four beats away (parabolic
//!   interpolation), a quarter of a frame's precision.
//! - **Key**: chroma (the energy of each pitch class, from the spectrum's
//!   bins between 100 Hz and 1 kHz) correlated with the Krumhansl–Kessler
//!   major and minor profiles in all 12 rotations (the
//!   Krumhansl–Schmuckler algorithm: Krumhansl, *Cognitive Foundations of
//!   Musical Pitch*, 1990); the best correlation names the key.
//!
//! Both read a float WAV block by block: memory grows only with the
//! envelope (4 bytes per 256 samples, at most [`MAX_TEMPO_S`] of it).

use std::path::Path;

use realfft::{RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

use super::brief::Mode;
use crate::audio::wav::WavBlockReader;
use crate::error::Result;

/// Krumhansl–Kessler key profiles (Krumhansl 1990): how well each pitch
/// class above the tonic fits a major key.
pub const MAJOR_PROFILE: [f32; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
/// Krumhansl–Kessler minor profile.
pub const MINOR_PROFILE: [f32; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

/// Seconds of audio the tempo is estimated from (the first ten minutes).
pub const MAX_TEMPO_S: f64 = 600.0;
/// Onset analysis: FFT size and hop, samples.
const ONSET_FFT: usize = 1024;
const ONSET_HOP: usize = 256;
/// Chroma analysis: FFT size and hop, samples.
const CHROMA_FFT: usize = 8192;
const CHROMA_HOP: usize = 4096;
/// Tempo range searched, BPM.
const TEMPO_RANGE: (f64, f64) = (40.0, 220.0);

/// Names of the pitch classes, C = 0.
pub const PITCH_CLASSES: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

/// Tempo, key and meter of a take.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Beats per minute.
    pub tempo_bpm: f32,
    /// Tonic pitch class, 0 = C … 11 = B.
    pub tonic: u8,
    /// Mode (an estimate is major or minor).
    pub mode: Mode,
    /// Beats per bar (an estimate assumes 4).
    pub beats_per_bar: u8,
    /// Whether tempo and key were estimated from the audio (a model's
    /// take) rather than known from the composer's plan.
    pub estimated: bool,
}

impl Facts {
    /// The key as people write it: "D minor", "F# major".
    pub fn key_name(&self) -> String {
        format!(
            "{} {}",
            PITCH_CLASSES[usize::from(self.tonic % 12)],
            self.mode.name()
        )
    }

    /// Length of a bar at `sample_rate_hz`, frames.
    pub fn bar_frames(&self, sample_rate_hz: u32) -> f64 {
        60.0 / f64::from(self.tempo_bpm.max(1.0))
            * f64::from(self.beats_per_bar.max(1))
            * f64::from(sample_rate_hz)
    }
}

/// Lowest and highest MIDI key counted as a fundamental (G2 to C6).
const CHROMA_KEYS: (usize, usize) = (43, 84);
/// Harmonics removed above each fundamental: semitones up, and how much
/// of the fundamental's magnitude each is taken to hold.
const HARMONICS: [(usize, f32); 4] = [(12, 0.7), (19, 0.6), (24, 0.5), (28, 0.4)];

/// Adds one spectrum's pitch-class energy to `chroma`. Each MIDI key's
/// magnitude is the largest bin within 0.4 semitone of it; then, from the
/// lowest key up, the partials a note there would have (octave, twelfth,
/// double octave, major third above that) lose that much of its magnitude,
/// so a note's overtones do not count as its fifth and third (iterative
/// harmonic subtraction, after Klapuri, "Multiple fundamental frequency
/// estimation based on harmonicity and spectral smoothness", IEEE TSAP
/// 11(6), 2003). Keys G2–C6 then add the square root of what is left to
/// their pitch class.
pub fn add_chroma(
    chroma: &mut [f32; 12],
    spectrum: &[realfft::num_complex::Complex<f32>],
    sr: f32,
) {
    let n = (spectrum.len().saturating_sub(1) * 2).max(1) as f32;
    let top = CHROMA_KEYS.1 + HARMONICS[HARMONICS.len() - 1].0;
    let mut keys = vec![0f32; top + 1];
    for (bin, c) in spectrum.iter().enumerate().skip(1) {
        let f = bin as f32 * sr / n;
        let midi = 69.0 + 12.0 * (f / 440.0).log2();
        if midi < CHROMA_KEYS.0 as f32 - 0.5 || midi > top as f32 + 0.5 {
            continue;
        }
        if (midi - midi.round()).abs() > 0.4 {
            continue;
        }
        let k = midi.round() as usize;
        keys[k] = keys[k].max(c.norm());
    }
    for k in CHROMA_KEYS.0..=CHROMA_KEYS.1 {
        let f0 = keys[k];
        if f0 <= 0.0 {
            continue;
        }
        for (up, share) in HARMONICS {
            if let Some(h) = keys.get_mut(k + up) {
                *h = (*h - share * f0).max(0.0);
            }
        }
        chroma[k % 12] += f0.sqrt();
    }
}

/// Pearson correlation of `chroma` with `profile` rotated to `tonic`.
pub fn correlation(chroma: &[f32; 12], profile: &[f32; 12], tonic: u8) -> f32 {
    let rot: Vec<f32> = (0..12)
        .map(|i| profile[(i + 12 - usize::from(tonic % 12)) % 12])
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

/// The tonic that fits `chroma` best in `mode` (Krumhansl–Schmuckler), or
/// `None` for silence.
pub fn best_tonic(chroma: &[f32; 12], mode: Mode) -> Option<u8> {
    if chroma.iter().all(|&c| c <= 0.0) {
        return None;
    }
    let profile = match mode {
        Mode::Major | Mode::Lydian => &MAJOR_PROFILE,
        Mode::Minor | Mode::Dorian => &MINOR_PROFILE,
    };
    (0..12u8).max_by(|&a, &b| {
        correlation(chroma, profile, a).total_cmp(&correlation(chroma, profile, b))
    })
}

/// The major or minor key that fits `chroma` best: (tonic, mode), or
/// `None` for silence.
pub fn best_key(chroma: &[f32; 12]) -> Option<(u8, Mode)> {
    let major = best_tonic(chroma, Mode::Major)?;
    let minor = best_tonic(chroma, Mode::Minor)?;
    if correlation(chroma, &MAJOR_PROFILE, major) >= correlation(chroma, &MINOR_PROFILE, minor) {
        Some((major, Mode::Major))
    } else {
        Some((minor, Mode::Minor))
    }
}

/// Estimates the tempo and key of the float WAV at `path` (any rate and
/// channel count): see the module's documentation for the methods. `None`
/// when the audio is too short (under 4 s) or silent.
///
/// # Errors
/// [`crate::Error::Audio`] naming a file that cannot be read.
pub fn estimate(path: &Path) -> Result<Option<Facts>> {
    let mut r = WavBlockReader::open(path)?;
    let sr = r.sample_rate_hz;
    let channels = usize::from(r.channels.max(1));
    let mut a = Analyser::new(sr);
    let mut buf = Vec::new();
    while r.read_block(&mut buf, 16_384)? > 0 {
        for frame in buf.chunks_exact(channels) {
            a.push(frame.iter().sum::<f32>() / channels as f32);
        }
    }
    Ok(a.finish())
}

/// Estimates the tempo and key of `clip` (decoded audio, any rate and
/// channel count), as [`estimate`] does for a file.
pub fn estimate_clip(clip: &crate::audio::Clip) -> Option<Facts> {
    let ch = usize::from(clip.channels.max(1));
    let mut a = Analyser::new(clip.sample_rate_hz);
    for frame in clip.samples.chunks_exact(ch) {
        a.push(frame.iter().sum::<f32>() / ch as f32);
    }
    a.finish()
}

/// The bar grid of the float WAV at `path`, estimated: (seconds from its
/// start to its first bar line, bar length in seconds), bars taken as four
/// beats of the estimated tempo and placed where the onset envelope,
/// summed at every bar line, is strongest (a comb over the bar's phases:
/// the downbeat is where the strongest onsets recur). `None` as for
/// [`estimate`].
///
/// # Errors
/// [`crate::Error::Audio`] naming a file that cannot be read.
pub fn bar_grid(path: &Path) -> Result<Option<(f64, f64)>> {
    let mut r = WavBlockReader::open(path)?;
    let channels = usize::from(r.channels.max(1));
    let mut a = Analyser::new(r.sample_rate_hz);
    let mut buf = Vec::new();
    while r.read_block(&mut buf, 16_384)? > 0 {
        for frame in buf.chunks_exact(channels) {
            a.push(frame.iter().sum::<f32>() / channels as f32);
        }
    }
    a.run();
    let Some(f) = a.facts() else {
        return Ok(None);
    };
    let rate = a.rate();
    let bar_s = 60.0 / f64::from(f.tempo_bpm) * f64::from(f.beats_per_bar);
    let bar = bar_s * rate;
    let env = &a.envelope;
    let comb = |phase: usize| -> f32 {
        (0..)
            .map(|k| (phase as f64 + k as f64 * bar).round() as usize)
            .take_while(|&i| i < env.len())
            .map(|i| env[i])
            .sum()
    };
    let best = (0..bar.ceil() as usize)
        .max_by(|&a, &b| comb(a).total_cmp(&comb(b)))
        .unwrap_or(0);
    // The envelope's frame `i` looks at samples from i·hop: its onset sits
    // about half a window later.
    let lag = ONSET_FFT as f64 / 2.0 / f64::from(a.sr);
    Ok(Some((best as f64 / rate + lag, bar_s)))
}

/// The streaming analyser behind [`estimate`].
struct Analyser {
    sr: u32,
    /// Mono samples not yet past both analyses' windows.
    pending: Vec<f32>,
    /// Position in `pending` of the next onset and chroma frame.
    onset_at: usize,
    chroma_at: usize,
    onset_fft: std::sync::Arc<dyn RealToComplex<f32>>,
    chroma_fft: std::sync::Arc<dyn RealToComplex<f32>>,
    /// The previous onset frame's log magnitudes.
    last_log: Vec<f32>,
    /// The onset-strength envelope, one value per hop.
    envelope: Vec<f32>,
    chroma: [f32; 12],
    samples: u64,
}

impl Analyser {
    fn new(sr: u32) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        Self {
            sr,
            pending: Vec::new(),
            onset_at: 0,
            chroma_at: 0,
            onset_fft: planner.plan_fft_forward(ONSET_FFT),
            chroma_fft: planner.plan_fft_forward(CHROMA_FFT),
            last_log: Vec::new(),
            envelope: Vec::new(),
            chroma: [0.0; 12],
            samples: 0,
        }
    }

    fn push(&mut self, x: f32) {
        self.pending.push(x);
        self.samples += 1;
        if self.pending.len() >= CHROMA_FFT + CHROMA_HOP {
            self.run();
        }
    }

    /// Analyses every whole frame in `pending` and drops what both
    /// analyses are past.
    fn run(&mut self) {
        let max_env = (MAX_TEMPO_S * f64::from(self.sr) / ONSET_HOP as f64) as usize;
        while self.onset_at + ONSET_FFT <= self.pending.len() {
            if self.envelope.len() < max_env {
                let v = self.onset_frame(self.onset_at);
                self.envelope.push(v);
            }
            self.onset_at += ONSET_HOP;
        }
        while self.chroma_at + CHROMA_FFT <= self.pending.len() {
            self.chroma_frame(self.chroma_at);
            self.chroma_at += CHROMA_HOP;
        }
        let done = self.onset_at.min(self.chroma_at);
        self.pending.drain(..done);
        self.onset_at -= done;
        self.chroma_at -= done;
    }

    /// Spectral flux of the onset frame at `at`: the summed rise of
    /// log(1 + 100·|X|) over the previous frame.
    fn onset_frame(&mut self, at: usize) -> f32 {
        let spec = spectrum(&*self.onset_fft, &self.pending[at..at + ONSET_FFT]);
        let logs: Vec<f32> = spec.iter().map(|c| (1.0 + 100.0 * c.norm()).ln()).collect();
        let flux = if self.last_log.len() == logs.len() {
            logs.iter()
                .zip(&self.last_log)
                .map(|(a, b)| (a - b).max(0.0))
                .sum()
        } else {
            0.0
        };
        self.last_log = logs;
        flux
    }

    fn chroma_frame(&mut self, at: usize) {
        let spec = spectrum(&*self.chroma_fft, &self.pending[at..at + CHROMA_FFT]);
        add_chroma(&mut self.chroma, &spec, self.sr as f32);
    }

    fn finish(mut self) -> Option<Facts> {
        self.run();
        self.facts()
    }

    /// The onset envelope's rate, Hz.
    fn rate(&self) -> f64 {
        f64::from(self.sr) / ONSET_HOP as f64
    }

    fn facts(&self) -> Option<Facts> {
        if self.samples < 4 * u64::from(self.sr) {
            return None;
        }
        let (tonic, mode) = best_key(&self.chroma)?;
        let tempo_bpm = tempo(&self.envelope, self.rate())? as f32;
        Some(Facts {
            tempo_bpm: (tempo_bpm * 10.0).round() / 10.0,
            tonic,
            mode,
            beats_per_bar: 4,
            estimated: true,
        })
    }
}

/// The magnitude spectrum of `x` under a Hann window.
fn spectrum(fft: &dyn RealToComplex<f32>, x: &[f32]) -> Vec<realfft::num_complex::Complex<f32>> {
    let n = x.len();
    let mut input: Vec<f32> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v * (0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos()))
        .collect();
    let mut out = fft.make_output_vec();
    if fft.process(&mut input, &mut out).is_err() {
        out.iter_mut().for_each(|c| *c = Default::default());
    }
    out
}

/// The tempo (BPM) of an onset envelope sampled at `rate` Hz: the lag
/// whose autocorrelation, weighted by the tempo prior, is highest, refined
/// four beats away. `None` when there is no periodicity (silence, noise).
pub fn tempo(envelope: &[f32], rate: f64) -> Option<f64> {
    // Remove the local mean (a second's window) so slow swells do not
    // count as periodicity.
    let w = (rate as usize).max(1);
    let mut e: Vec<f64> = Vec::with_capacity(envelope.len());
    let mut sum = 0.0f64;
    for i in 0..envelope.len() {
        sum += f64::from(envelope[i]);
        if i >= w {
            sum -= f64::from(envelope[i - w]);
        }
        let mean = sum / (i.min(w - 1) + 1) as f64;
        e.push((f64::from(envelope[i]) - mean).max(0.0));
    }
    let acf = |lag: usize| -> f64 {
        e.iter()
            .zip(&e[lag.min(e.len())..])
            .map(|(a, b)| a * b)
            .sum::<f64>()
    };
    let lo = (60.0 * rate / TEMPO_RANGE.1).floor().max(1.0) as usize;
    let hi = (60.0 * rate / TEMPO_RANGE.0).ceil() as usize;
    if e.len() < 4 * hi {
        return None;
    }
    let prior = |lag: f64| {
        let bpm = 60.0 * rate / lag;
        (-0.5 * ((bpm / 120.0).log2() / 1.4).powi(2)).exp()
    };
    let (best, score) = (lo..=hi)
        .map(|lag| (lag, acf(lag) * prior(lag as f64)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if score <= 0.0 {
        return None;
    }
    // Refine: the peak near four beats, interpolated, divided by four.
    let far = 4 * best;
    let lag = if far + 3 < e.len() / 2 {
        let peak = (far - 3..=far + 3).max_by(|&a, &b| acf(a).total_cmp(&acf(b)))?;
        let (y0, y1, y2) = (acf(peak - 1), acf(peak), acf(peak + 1));
        let denom = y0 - 2.0 * y1 + y2;
        let delta = if denom.abs() > 1e-12 {
            (0.5 * (y0 - y2) / denom).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        (peak as f64 + delta) / 4.0
    } else {
        best as f64
    };
    Some(60.0 * rate / lag)
}
