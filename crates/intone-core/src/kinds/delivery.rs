//! What every kind's request shares about the delivered files: the checks
//! of sample rate, bit depth, lossy settings and loudness target, and the
//! stored form of a recipe.

use serde::Serialize;

use crate::audio::encode::EncodeOptions;
use crate::error::{Error, Result};

/// Default output sample rate, Hz.
pub const DEFAULT_SAMPLE_RATE_HZ: u32 = 48_000;

/// A recipe as stored with its track.
///
/// # Errors
/// [`Error::Config`] when it cannot be serialized.
pub fn recipe_json(recipe: &impl Serialize) -> Result<String> {
    serde_json::to_string(recipe).map_err(|e| Error::Config(e.to_string()))
}

/// Checks the output sample rate and bit depth.
///
/// # Errors
/// [`Error::Config`] naming the unsupported value.
pub fn check_output(sample_rate_hz: u32, bit_depth: u16) -> Result<()> {
    if ![44_100, 48_000].contains(&sample_rate_hz) {
        return Err(Error::Config(format!(
            "unsupported sample rate {sample_rate_hz} Hz (use 44100 or 48000)"
        )));
    }
    if ![16, 24].contains(&bit_depth) {
        return Err(Error::Config(format!(
            "unsupported bit depth {bit_depth} (use 16 or 24)"
        )));
    }
    Ok(())
}

/// Checks how a recording's result is delivered: sample rate, bit depth,
/// MP3/Opus settings and a loudness target within −36 to −6 LUFS.
///
/// # Errors
/// [`Error::Config`] naming the value out of range.
pub fn check_delivery(
    sample_rate_hz: u32,
    bit_depth: u16,
    encode: &EncodeOptions,
    target_lufs: f64,
) -> Result<()> {
    check_output(sample_rate_hz, bit_depth)?;
    encode.check()?;
    if !(-36.0..=-6.0).contains(&target_lufs) {
        return Err(Error::Config(format!(
            "loudness target {target_lufs} LUFS is out of range (−36 to −6)"
        )));
    }
    Ok(())
}
