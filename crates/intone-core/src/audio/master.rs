//! Mastering: normalize integrated loudness to a target (EBU R128) and keep
//! the true peak under a ceiling, in streaming passes over f32 WAV files.
//!
//! Pass 1 measures the input. Each following pass applies gain and the
//! true-peak limiter while measuring the output; if limiting pulled the
//! loudness more than [`LOUDNESS_TOLERANCE_LU`] under target, the gain is
//! corrected (secant step on the gain → loudness curve) and the pass repeats
//! (at most [`MAX_PASSES`] times).
//!
//! A pass measures the output's true peak with the `ebur128` meter (on its
//! own thread) when the gained input's sample peak comes within
//! [`TRUE_PEAK_HEADROOM_DB`] of the ceiling; further below, no peak can reach
//! the ceiling, the limiter leaves the audio untouched, and the true peak its
//! own 4×-oversampled detector saw is reported. The delivered file's true
//! peak is measured again by the encoder either way.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::limiter::TruePeakLimiter;
use crate::audio::loudness::{measure_file_integrated, Loudness, SILENCE_LUFS};
use crate::audio::meter_thread::MeterThread;
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::{db_to_gain, BLOCK_FRAMES};
use crate::error::Result;

/// Loudness error accepted without another pass, in LU.
pub const LOUDNESS_TOLERANCE_LU: f64 = 0.2;
/// Output loudness gained per dB of input gain once the limiter takes more
/// than 1 dB, for the second pass's step (the secant takes over from the
/// third). Measured on spoken word at −16 LUFS / −1 dBTP: 0.49–0.56; a
/// plain 1:1 step needed a third pass.
const LIMITED_SLOPE: f64 = 0.5;
/// Passes over the audio after the first measurement.
pub const MAX_PASSES: usize = 6;
/// Below this distance from the ceiling (dB), the gained input's sample peak
/// leaves no room for an inter-sample peak to reach it, so a pass measures
/// the output's true peak with its own detector instead of a second meter.
pub const TRUE_PEAK_HEADROOM_DB: f64 = 3.0;
/// Head-room the limiter keeps below the requested ceiling, in dB, to absorb
/// differences between its detector, the meter's, and output quantization.
pub const LIMITER_MARGIN_DB: f64 = 0.3;

/// Mastering targets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MasterSettings {
    /// Integrated loudness target in LUFS (spoken word default −16).
    pub target_lufs: f64,
    /// True-peak ceiling in dBTP (default −1).
    pub ceiling_dbtp: f64,
}

impl Default for MasterSettings {
    fn default() -> Self {
        Self {
            target_lufs: -16.0,
            ceiling_dbtp: -1.0,
        }
    }
}

/// What mastering did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MasterReport {
    /// Input measurement (integrated loudness and sample peak).
    pub input: Loudness,
    /// Gain applied before the limiter in dB.
    pub gain_db: f64,
    /// Output measurement.
    pub output: Loudness,
    /// Passes over the audio after the first measurement.
    pub passes: usize,
    /// Deepest limiter gain reduction in dB (0 = never limited).
    pub max_reduction_db: f64,
}

/// Masters the f32 WAV `input` into the f32 WAV `output`.
///
/// # Errors
/// [`crate::Error::Audio`] naming the file that could not be read or written.
pub fn master_file(input: &Path, output: &Path, settings: MasterSettings) -> Result<MasterReport> {
    let measured = measure_file_integrated(input)?;
    if measured.integrated_lufs <= SILENCE_LUFS {
        // Nothing to normalize: copy through the limiter at unity gain.
        let (out, red) = gain_and_limit(
            input,
            output,
            0.0,
            settings.ceiling_dbtp - LIMITER_MARGIN_DB,
            true,
        )?;
        return Ok(MasterReport {
            input: measured,
            gain_db: 0.0,
            output: out,
            passes: 1,
            max_reduction_db: red,
        });
    }
    let mut gain_db = settings.target_lufs - measured.integrated_lufs;
    let mut ceiling = settings.ceiling_dbtp - LIMITER_MARGIN_DB;
    let mut passes = 0;
    // (gain, loudness) of the previous pass, for the secant step.
    let mut previous: Option<(f64, f64)> = None;
    loop {
        passes += 1;
        let near =
            measured.true_peak_dbtp + gain_db > settings.ceiling_dbtp - TRUE_PEAK_HEADROOM_DB;
        let (out, red) = gain_and_limit(input, output, gain_db, ceiling, near)?;
        let short = settings.target_lufs - out.integrated_lufs;
        let over = out.true_peak_dbtp - settings.ceiling_dbtp;
        if passes >= MAX_PASSES || (short.abs() <= LOUDNESS_TOLERANCE_LU && over <= 0.0) {
            return Ok(MasterReport {
                input: measured,
                gain_db,
                output: out,
                passes,
                max_reduction_db: red,
            });
        }
        if over > 0.0 {
            ceiling -= over + 0.05;
        }
        // Output loudness rises monotonically but less than 1:1 with gain once
        // the limiter works; a secant step through the last two passes
        // converges where a plain `gain += short` would crawl. Before there
        // are two, a pass whose limiter took more than 1 dB starts from
        // [`LIMITED_SLOPE`].
        let slope = match previous {
            Some((g0, l0))
                if (out.integrated_lufs - l0).abs() > 0.01 && (gain_db - g0).abs() > 0.01 =>
            {
                ((out.integrated_lufs - l0) / (gain_db - g0)).clamp(0.1, 1.0)
            }
            _ if red > 1.0 => LIMITED_SLOPE,
            _ => 1.0,
        };
        previous = Some((gain_db, out.integrated_lufs));
        gain_db += (short / slope).clamp(-12.0, 12.0);
    }
}

/// One pass: gain, limiter, write, measure. Returns the output measurement
/// and the deepest gain reduction in dB. With `meter_true_peak` false the
/// true peak is the limiter detector's (exact when it never limited; when it
/// did, its ceiling, which its gain guarantees).
fn gain_and_limit(
    input: &Path,
    output: &Path,
    gain_db: f64,
    ceiling_dbtp: f64,
    meter_true_peak: bool,
) -> Result<(Loudness, f64)> {
    let mut r = WavBlockReader::open(input)?;
    let mut w = WavBlockWriter::create(output, r.sample_rate_hz, r.channels)?;
    let mut meter = if meter_true_peak {
        MeterThread::start(r.channels, r.sample_rate_hz, output)?
    } else {
        MeterThread::start_integrated(r.channels, r.sample_rate_hz, output)?
    };
    let mut limiter = TruePeakLimiter::new(r.channels, r.sample_rate_hz, ceiling_dbtp, 5.0, 80.0);
    let g = db_to_gain(gain_db) as f32;
    let mut buf = Vec::new();
    let mut out = Vec::with_capacity(BLOCK_FRAMES * usize::from(r.channels) * 2);
    while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        for s in &mut buf {
            *s *= g;
        }
        out.clear();
        limiter.process(&buf, &mut out);
        meter.add(&out)?;
        w.write(&out)?;
    }
    out.clear();
    limiter.finish(&mut out);
    meter.add(&out)?;
    w.write(&out)?;
    w.finish()?;
    let mut measured = meter.finish()?;
    if !meter_true_peak {
        let detected = if limiter.min_gain < 1.0 {
            ceiling_dbtp
        } else {
            super::gain_to_db(f64::from(limiter.max_peak).max(1e-9))
        };
        measured.true_peak_dbtp = measured.true_peak_dbtp.max(detected);
    }
    Ok((measured, -super::gain_to_db(f64::from(limiter.min_gain))))
}
