//! Seamless loops. The built-in composer renders past the loop's end and
//! folds that tail (the last notes' release and reverb) back into the head
//! ([`fold_tail`]), so the end plays into the start as the music would.
//! A model's take is cut into a loop ([`make_loop`]): at a whole number of
//! bars when its tempo is known, else where its spectrum is most like the
//! start's, with the audio after the loop point crossfaded into the head.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use realfft::RealFftPlanner;
use serde::{Deserialize, Serialize};

use super::analysis::Facts;
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::{decode, Clip};
use crate::error::{Error, Result};

/// Crossfade at a model's loop point, seconds.
pub const LOOP_CROSSFADE_S: f64 = 0.5;
/// How far either side of the asked length a loop point without a known
/// tempo is looked for, seconds.
const SEARCH_S: f64 = 1.5;
/// Window of the spectral comparison, frames.
const COMPARE_FFT: usize = 2048;
/// Step between candidate loop points, frames.
const COMPARE_STEP: usize = 64;

/// Adds `tail` (interleaved, the float WAV's channel count: what was
/// rendered after the loop's last frame) into the start of the float WAV
/// at `path` (as [`WavBlockWriter::create`] writes it), in place. A tail longer than the loop wraps round again.
///
/// # Errors
/// [`Error::Audio`] naming the file.
pub fn fold_tail(path: &Path, tail: &[f32]) -> Result<()> {
    let mut r = WavBlockReader::open(path)?;
    let ch = usize::from(r.channels.max(1));
    let loop_frames = usize::try_from(r.frames).unwrap_or(usize::MAX);
    if loop_frames == 0 || tail.is_empty() {
        return Ok(());
    }
    let head_frames = (tail.len() / ch).min(loop_frames);
    let mut head = Vec::new();
    r.read_block(&mut head, head_frames)?;
    drop(r);
    for (i, frame) in tail.chunks_exact(ch).enumerate() {
        let at = (i % loop_frames) * ch;
        for (c, s) in frame.iter().enumerate() {
            if let Some(h) = head.get_mut(at + c) {
                *h += s;
            }
        }
    }
    let bad = |e: std::io::Error| Error::audio(path, e);
    let mut f = OpenOptions::new().write(true).open(path).map_err(bad)?;
    f.seek(SeekFrom::Start(crate::audio::wav::HEADER_BYTES))
        .map_err(bad)?;
    let bytes: Vec<u8> = head.iter().flat_map(|s| s.to_le_bytes()).collect();
    f.write_all(&bytes).map_err(bad)?;
    f.sync_data().map_err(bad)
}

/// How a model's take was cut into a loop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoopCut {
    /// Length of the loop, frames.
    pub frames: u64,
    /// Whole bars in it, when the tempo gave the loop point.
    pub bars: Option<u32>,
}

/// Cuts the audio at `input` (any format the decoder reads, stereo at its
/// own rate) into a loop about `target_frames` long, written to `output`
/// as a float WAV:
/// - with `facts` (a tempo), the loop is the whole number of bars nearest
///   the target (at least one);
/// - without, the loop point is the frame within 1.5 s of the target whose
///   next 2048 frames' magnitude spectrum differs least (mean absolute
///   log-magnitude difference) from the first 2048 frames'.
///
/// The 0.5 s after the loop point are crossfaded (equal power) over the
/// first 0.5 s, so the end runs into the start. The input is read whole
/// (a model's take lasts minutes at most).
///
/// # Errors
/// [`Error::Audio`] for unreadable audio; [`Error::Config`] when the take
/// is too short for a loop of that length and its crossfade.
pub fn make_loop(
    input: &Path,
    output: &Path,
    target_frames: u64,
    facts: Option<&Facts>,
) -> Result<LoopCut> {
    let clip = decode::decode_file(input)?.with_channels(2);
    let sr = clip.sample_rate_hz;
    let total = clip.samples.len() / 2;
    let xfade = ((LOOP_CROSSFADE_S * f64::from(sr)) as usize).max(1);
    let room = total.saturating_sub(xfade);
    let (frames, bars) = match facts.map(|f| f.bar_frames(sr)).filter(|b| *b >= 1.0) {
        Some(bar) => {
            let fits = (room as f64 / bar).floor().max(0.0) as u32;
            let want = (target_frames as f64 / bar).round().max(1.0) as u32;
            let n = want.min(fits);
            ((f64::from(n) * bar).round() as usize, Some(n))
        }
        None => (best_match(&clip, target_frames as usize, room), None),
    };
    if bars == Some(0) || frames < xfade * 2 || frames > room {
        return Err(Error::Config(format!(
            "{}: {:.1} s is too short for a {:.1} s loop and its crossfade",
            input.display(),
            total as f64 / f64::from(sr),
            target_frames as f64 / f64::from(sr)
        )));
    }
    let mut w = WavBlockWriter::create(output, sr, 2)?;
    let mut head = clip.samples[..xfade * 2].to_vec();
    for i in 0..xfade {
        let t = (i as f32 + 0.5) / xfade as f32 * std::f32::consts::FRAC_PI_2;
        let (fade_in, fade_out) = t.sin_cos();
        for c in 0..2 {
            head[i * 2 + c] =
                head[i * 2 + c] * fade_in + clip.samples[(frames + i) * 2 + c] * fade_out;
        }
    }
    w.write(&head)?;
    w.write(&clip.samples[xfade * 2..frames * 2])?;
    w.finish()?;
    Ok(LoopCut {
        frames: frames as u64,
        bars,
    })
}

/// The frame within [`SEARCH_S`] of `target` (and at most `room`) whose
/// spectrum is most like the start's.
fn best_match(clip: &Clip, target: usize, room: usize) -> usize {
    let sr = clip.sample_rate_hz as usize;
    let mono: Vec<f32> = clip
        .samples
        .chunks_exact(2)
        .map(|f| 0.5 * (f[0] + f[1]))
        .collect();
    let fft = RealFftPlanner::<f32>::new().plan_fft_forward(COMPARE_FFT);
    let spectrum = |at: usize| -> Option<Vec<f32>> {
        let x = mono.get(at..at + COMPARE_FFT)?;
        let mut input: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v * (0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / COMPARE_FFT as f32).cos())
            })
            .collect();
        let mut out = fft.make_output_vec();
        fft.process(&mut input, &mut out).ok()?;
        Some(out.iter().map(|c| (1e-6 + c.norm()).ln()).collect())
    };
    let Some(start) = spectrum(0) else {
        return target.min(room);
    };
    let search = (SEARCH_S * sr as f64) as usize;
    let lo = target.saturating_sub(search).max(COMPARE_FFT);
    let hi = (target + search).min(room);
    (lo..=hi)
        .step_by(COMPARE_STEP)
        .filter_map(|at| {
            let s = spectrum(at)?;
            let d: f32 = s.iter().zip(&start).map(|(a, b)| (a - b).abs()).sum();
            Some((at, d))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(target.min(room), |(at, _)| at)
}
