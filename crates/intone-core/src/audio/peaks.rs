//! Waveform peaks for the UI: min/max pairs of the mono mix-down at several
//! zoom levels, computed in one streaming pass.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::wav::WavBlockReader;
use crate::audio::BLOCK_FRAMES;
use crate::error::Result;

/// Frames per peak of each zoom level, finest first; each level is 4× coarser.
pub const LEVELS: [usize; 4] = [256, 1024, 4096, 16384];

/// One zoom level.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeakLevel {
    /// Frames summarized by each pair.
    pub frames_per_peak: usize,
    /// Minimum sample of each bucket (−1..=1), rounded to 1e-4.
    pub min: Vec<f32>,
    /// Maximum sample of each bucket (−1..=1), rounded to 1e-4.
    pub max: Vec<f32>,
}

/// Stored peaks of one track (`peaks.json`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peaks {
    /// Format version of this document.
    pub version: u32,
    /// Frames per second of the track.
    pub sample_rate_hz: u32,
    /// Channels of the track (peaks are of the mono mix-down).
    pub channels: u16,
    /// Total frames.
    pub frames: u64,
    /// Zoom levels, finest first.
    pub levels: Vec<PeakLevel>,
}

fn round4(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// Computes peaks of a WAV file.
///
/// # Errors
/// [`crate::Error::Audio`] naming the file.
pub fn compute_file(path: &Path) -> Result<Peaks> {
    let mut r = WavBlockReader::open(path)?;
    let ch = usize::from(r.channels.max(1));
    let fine = LEVELS[0];
    let (mut mins, mut maxs) = (Vec::new(), Vec::new());
    let (mut lo, mut hi, mut n) = (f32::INFINITY, f32::NEG_INFINITY, 0usize);
    let mut buf = Vec::new();
    let mut frames = 0u64;
    while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        for f in buf.chunks_exact(ch) {
            let m = f.iter().sum::<f32>() / ch as f32;
            lo = lo.min(m);
            hi = hi.max(m);
            n += 1;
            if n == fine {
                mins.push(round4(lo));
                maxs.push(round4(hi));
                (lo, hi, n) = (f32::INFINITY, f32::NEG_INFINITY, 0);
            }
        }
        frames += (buf.len() / ch) as u64;
    }
    if n > 0 {
        mins.push(round4(lo));
        maxs.push(round4(hi));
    }
    let mut levels = vec![PeakLevel {
        frames_per_peak: fine,
        min: mins,
        max: maxs,
    }];
    for &fpp in &LEVELS[1..] {
        let prev = levels.last().map_or(&[][..], |l| &l.min[..]);
        let prev_max = levels.last().map_or(&[][..], |l| &l.max[..]);
        let k = 4;
        let min = prev
            .chunks(k)
            .map(|c| c.iter().copied().fold(f32::INFINITY, f32::min))
            .collect();
        let max = prev_max
            .chunks(k)
            .map(|c| c.iter().copied().fold(f32::NEG_INFINITY, f32::max))
            .collect();
        levels.push(PeakLevel {
            frames_per_peak: fpp,
            min,
            max,
        });
    }
    Ok(Peaks {
        version: 1,
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
        frames,
        levels,
    })
}
