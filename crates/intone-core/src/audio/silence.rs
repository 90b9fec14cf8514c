//! Silence detection and chunk planning for conversion: where a recording
//! can be cut so that no word is split.
//!
//! The recording is measured in 10 ms analysis frames (RMS of the mono
//! mixdown, dBFS). The silence threshold is relative to the file's own level,
//! not a fixed dBFS: with the noise floor `F` (10th percentile of frame
//! levels) and the speech level `S` (95th percentile), the threshold is
//! `F + 0.35·(S − F)`, and never above `S − 12 dB`. A silence is a run of
//! frames under the threshold lasting at least [`ChunkLimits::min_silence_ms`];
//! its cut point is the middle of its quietest frame.
//!
//! Chunks are planned greedily: from the current start, among the silences
//! whose cut point leaves a chunk between `min_ms` and `max_ms` long, the
//! longest silence wins (the later one on a tie); with none, the cut goes at
//! the quietest frame of the window's second half (a word may be split there,
//! which only happens in speech with no pause for `max_ms`). A last piece
//! shorter than `min_ms` is merged into the chunk before it when the two fit
//! in `max_ms`. Chunks cover the recording exactly, end to end, so joining
//! them gives it back sample for sample.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::wav::WavBlockReader;
use crate::audio::BLOCK_FRAMES;
use crate::error::Result;

/// Length of one analysis frame, ms.
pub const ANALYSIS_FRAME_MS: u32 = 10;

/// Frame levels below this are digital silence, dBFS.
const FLOOR_DB: f32 = -120.0;

/// How long chunks may be.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChunkLimits {
    /// Longest chunk, ms (converters fail or run out of memory on long inputs).
    pub max_ms: f64,
    /// Shortest chunk, ms (except a recording shorter than this).
    pub min_ms: f64,
    /// Shortest pause that counts as a silence, ms.
    pub min_silence_ms: f64,
}

impl Default for ChunkLimits {
    fn default() -> Self {
        Self {
            max_ms: 30_000.0,
            min_ms: 2_000.0,
            min_silence_ms: 150.0,
        }
    }
}

/// A recording's level profile: one RMS level per analysis frame.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelProfile {
    /// Sample rate of the recording, Hz.
    pub sample_rate_hz: u32,
    /// Frames of the recording.
    pub frames: u64,
    /// Samples per analysis frame.
    pub hop: u64,
    /// Level of each analysis frame, dBFS (mono mixdown RMS).
    pub levels_db: Vec<f32>,
}

/// A detected silence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    /// First sample of the silence.
    pub start: u64,
    /// One past its last sample.
    pub end: u64,
    /// Where to cut: the middle of its quietest analysis frame.
    pub cut: u64,
}

/// One planned chunk: samples `start..end` of the recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkSpan {
    /// First frame.
    pub start: u64,
    /// One past the last frame.
    pub end: u64,
}

/// Measures the level profile of an f32/integer WAV file in one streaming
/// pass: in bulk over the raw bytes for 16/24/32-bit integer and 32-bit
/// float PCM (the common case, several times faster than sample by sample),
/// through hound otherwise.
///
/// # Errors
/// [`crate::Error::Audio`] naming the file when it cannot be read.
pub fn profile_file(path: &Path) -> Result<LevelProfile> {
    match super::wav_raw::raw_layout(path) {
        Some(l) => profile_raw(path, l),
        None => profile_hound(path),
    }
}

fn profile_hound(path: &Path) -> Result<LevelProfile> {
    let mut r = WavBlockReader::open(path)?;
    let ch = usize::from(r.channels.max(1));
    let hop = (u64::from(r.sample_rate_hz) * u64::from(ANALYSIS_FRAME_MS) / 1000).max(1);
    let mut levels = Vec::with_capacity((r.frames / hop + 1) as usize);
    let mut acc = 0f64;
    let mut n = 0u64;
    let mut buf = Vec::new();
    let mut frames = 0u64;
    while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        for f in buf.chunks_exact(ch) {
            let m = f.iter().sum::<f32>() / ch as f32;
            acc += f64::from(m) * f64::from(m);
            n += 1;
            if n == hop {
                levels.push(level_db(acc / n as f64));
                acc = 0.0;
                n = 0;
            }
        }
        frames += (buf.len() / ch) as u64;
    }
    if n > 0 {
        levels.push(level_db(acc / n as f64));
    }
    Ok(LevelProfile {
        sample_rate_hz: r.sample_rate_hz,
        frames,
        hop,
        levels_db: levels,
    })
}

/// [`profile_file`] over the raw bytes of an integer or float WAVE file,
/// a megabyte at a time.
fn profile_raw(path: &Path, l: super::wav_raw::RawLayout) -> Result<LevelProfile> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| crate::Error::audio(path, e))?;
    f.seek(SeekFrom::Start(l.data_start))
        .map_err(|e| crate::Error::audio(path, e))?;
    let ch = usize::from(l.channels);
    let bs = usize::from(l.bytes);
    let frame_bytes = ch * bs;
    let hop = (u64::from(l.rate) * u64::from(ANALYSIS_FRAME_MS) / 1000).max(1);
    let total = l.data_len / frame_bytes as u64;
    let mut levels = Vec::with_capacity((total / hop + 1) as usize);
    let (mut acc, mut n) = (0f64, 0u64);
    let mut buf = vec![0u8; (1 << 20) / frame_bytes * frame_bytes];
    let mut left = total * frame_bytes as u64;
    let scale = match (l.float, l.bytes) {
        (true, _) => 1.0,
        (false, 2) => 1.0 / 32_768.0,
        (false, 3) => 1.0 / 8_388_608.0,
        _ => 1.0 / 2_147_483_648.0,
    };
    let sample = |b: &[u8]| -> f32 {
        match (l.float, l.bytes) {
            (true, _) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            (false, 2) => f32::from(i16::from_le_bytes([b[0], b[1]])),
            (false, 3) => (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32,
            _ => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
        }
    };
    let mut frames = 0u64;
    while left > 0 {
        let want = (buf.len() as u64).min(left) as usize;
        let mut got = 0;
        while got < want {
            match f.read(&mut buf[got..want]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(crate::Error::audio(path, e)),
            }
        }
        let whole = got / frame_bytes * frame_bytes;
        if whole == 0 {
            break;
        }
        for fr in buf[..whole].chunks_exact(frame_bytes) {
            let m = fr.chunks_exact(bs).map(sample).sum::<f32>() * scale / ch as f32;
            acc += f64::from(m) * f64::from(m);
            n += 1;
            if n == hop {
                levels.push(level_db(acc / n as f64));
                acc = 0.0;
                n = 0;
            }
        }
        frames += (whole / frame_bytes) as u64;
        left -= whole as u64;
        if got < want {
            break;
        }
    }
    if n > 0 {
        levels.push(level_db(acc / n as f64));
    }
    Ok(LevelProfile {
        sample_rate_hz: l.rate,
        frames,
        hop,
        levels_db: levels,
    })
}

fn level_db(mean_square: f64) -> f32 {
    if mean_square <= 0.0 {
        FLOOR_DB
    } else {
        (10.0 * mean_square.log10()).max(f64::from(FLOOR_DB)) as f32
    }
}

fn percentile(sorted: &[f32], p: f64) -> f32 {
    if sorted.is_empty() {
        return FLOOR_DB;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

impl LevelProfile {
    /// The silence threshold for this recording, dBFS (see the module docs).
    pub fn threshold_db(&self) -> f32 {
        let mut sorted = self.levels_db.clone();
        sorted.sort_by(f32::total_cmp);
        let floor = percentile(&sorted, 0.10);
        let speech = percentile(&sorted, 0.95);
        (floor + 0.35 * (speech - floor)).min(speech - 12.0)
    }

    /// Every silence at least `min_silence_ms` long.
    pub fn silences(&self, min_silence_ms: f64) -> Vec<Silence> {
        let thr = self.threshold_db();
        let min_frames = ((min_silence_ms / f64::from(ANALYSIS_FRAME_MS)).ceil() as usize).max(1);
        let mut out = Vec::new();
        let mut i = 0;
        let n = self.levels_db.len();
        while i < n {
            if self.levels_db[i] >= thr {
                i += 1;
                continue;
            }
            let a = i;
            while i < n && self.levels_db[i] < thr {
                i += 1;
            }
            if i - a >= min_frames {
                // The quietest frame; the middle one among equals.
                let min = self.levels_db[a..i]
                    .iter()
                    .copied()
                    .fold(f32::INFINITY, f32::min);
                let quiet: Vec<usize> = (a..i).filter(|&k| self.levels_db[k] <= min).collect();
                let q = quiet[quiet.len() / 2];
                out.push(Silence {
                    start: a as u64 * self.hop,
                    end: (i as u64 * self.hop).min(self.frames),
                    cut: (q as u64 * self.hop + self.hop / 2).min(self.frames),
                });
            }
        }
        out
    }

    /// Plans chunks covering the whole recording (see the module docs).
    pub fn plan_chunks(&self, limits: &ChunkLimits) -> Vec<ChunkSpan> {
        let sr = f64::from(self.sample_rate_hz.max(1));
        let max = ((limits.max_ms * sr / 1000.0) as u64).max(self.hop * 2);
        let min = ((limits.min_ms * sr / 1000.0) as u64).min(max / 2);
        let silences = self.silences(limits.min_silence_ms);
        let total = self.frames;
        let mut spans = Vec::new();
        let mut start = 0u64;
        while total - start > max {
            let lo = start + min;
            let hi = start + max;
            let best = silences
                .iter()
                .filter(|s| s.cut > lo && s.cut <= hi && total - s.cut >= 1)
                .max_by_key(|s| (s.end - s.start, s.cut));
            let cut = match best {
                Some(s) => s.cut,
                None => self.quietest_between(start + max / 2, hi),
            };
            spans.push(ChunkSpan { start, end: cut });
            start = cut;
        }
        if start < total || spans.is_empty() {
            spans.push(ChunkSpan { start, end: total });
        }
        if spans.len() >= 2 {
            let last = spans[spans.len() - 1];
            let prev = spans[spans.len() - 2];
            if last.end - last.start < min && last.end - prev.start <= max {
                spans.pop();
                if let Some(p) = spans.last_mut() {
                    p.end = last.end;
                }
            }
        }
        spans
    }

    /// The middle of the quietest analysis frame whose middle lies in `lo..=hi`.
    fn quietest_between(&self, lo: u64, hi: u64) -> u64 {
        let a = (lo / self.hop) as usize;
        let b = ((hi / self.hop) as usize).min(self.levels_db.len().saturating_sub(1));
        let mut best = (f32::INFINITY, hi);
        for k in a..=b.max(a) {
            let Some(&l) = self.levels_db.get(k) else {
                break;
            };
            let mid = k as u64 * self.hop + self.hop / 2;
            if mid > lo && mid <= hi && l <= best.0 {
                best = (l, mid);
            }
        }
        best.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 s of "speech" (a loud tone), `gap_ms` of near-silence, repeated.
    fn profile(pattern: &[(bool, u32)]) -> LevelProfile {
        let mut levels = Vec::new();
        for &(loud, ms) in pattern {
            for k in 0..ms / ANALYSIS_FRAME_MS {
                levels.push(if loud {
                    -20.0 + (k % 3) as f32
                } else {
                    -70.0 - (k % 5) as f32
                });
            }
        }
        LevelProfile {
            sample_rate_hz: 48_000,
            frames: levels.len() as u64 * 480,
            hop: 480,
            levels_db: levels,
        }
    }

    #[test]
    fn cuts_only_in_silences_and_covers_everything() {
        let mut pat = Vec::new();
        for i in 0..20 {
            pat.push((true, 2_000 + (i % 4) * 700));
            pat.push((false, 300 + (i % 3) * 200));
        }
        let p = profile(&pat);
        let limits = ChunkLimits {
            max_ms: 8_000.0,
            min_ms: 2_000.0,
            min_silence_ms: 150.0,
        };
        let spans = p.plan_chunks(&limits);
        assert!(spans.len() > 5, "{spans:?}");
        assert_eq!(spans[0].start, 0);
        assert_eq!(spans.last().map(|s| s.end), Some(p.frames));
        let silences = p.silences(150.0);
        for w in spans.windows(2) {
            assert_eq!(w[0].end, w[1].start, "contiguous");
            let cut = w[0].end;
            assert!(
                silences.iter().any(|s| s.start <= cut && cut < s.end),
                "cut {cut} is in a silence"
            );
        }
        for s in &spans {
            let ms = (s.end - s.start) as f64 / 48.0;
            assert!(ms <= 8_000.0 + 1.0, "{ms}");
        }
    }

    #[test]
    fn no_silence_still_respects_the_limit() {
        let p = profile(&[(true, 20_000)]);
        let spans = p.plan_chunks(&ChunkLimits {
            max_ms: 6_000.0,
            ..ChunkLimits::default()
        });
        assert_eq!(spans.len(), 4);
        assert!(spans.iter().all(|s| s.end - s.start <= 6 * 48_000));
        assert_eq!(spans.last().map(|s| s.end), Some(p.frames));
    }

    #[test]
    fn bulk_reader_measures_what_hound_measures() {
        let dir = tempfile::tempdir().expect("tmp");
        let sr = 44_100u32;
        let mut rng = fastrand::Rng::with_seed(5);
        let samples: Vec<f32> = (0..sr as usize * 3 * 2)
            .map(|i| {
                if (i / 20_000) % 3 == 0 {
                    0.0
                } else {
                    (rng.f32() - 0.5) * 0.8
                }
            })
            .collect();
        for (bits, float) in [(16u16, false), (24, false), (32, false), (32, true)] {
            let p = dir.path().join(format!("{bits}-{float}.wav"));
            let spec = hound::WavSpec {
                channels: 2,
                sample_rate: sr,
                bits_per_sample: bits,
                sample_format: if float {
                    hound::SampleFormat::Float
                } else {
                    hound::SampleFormat::Int
                },
            };
            let mut w = hound::WavWriter::create(&p, spec).expect("create");
            for &x in &samples {
                if float {
                    w.write_sample(x).expect("w");
                } else {
                    let max = ((1i64 << (bits - 1)) - 1) as f32;
                    w.write_sample((x * max) as i32).expect("w");
                }
            }
            w.finalize().expect("finalize");
            assert!(
                crate::audio::wav_raw::raw_layout(&p).is_some(),
                "{bits} bit float={float} read in bulk"
            );
            let (a, b) = (
                profile_file(&p).expect("raw"),
                profile_hound(&p).expect("hound"),
            );
            assert_eq!(
                (a.frames, a.hop, a.levels_db.len()),
                (b.frames, b.hop, b.levels_db.len())
            );
            for (x, y) in a.levels_db.iter().zip(&b.levels_db) {
                assert!((x - y).abs() < 1e-3, "{bits} bit: {x} vs {y}");
            }
        }
    }

    #[test]
    fn threshold_follows_the_file_level() {
        let quiet = profile(&[(true, 1_000), (false, 1_000)]);
        let mut loud = quiet.clone();
        loud.levels_db.iter_mut().for_each(|l| *l += 30.0);
        assert!((loud.threshold_db() - quiet.threshold_db() - 30.0).abs() < 0.01);
    }
}
