//! How a batch's files are delivered: container, sample rate, bit depth,
//! loudness target, and the lossy settings and tags. Every request of every
//! job kind embeds one [`Delivery`] (flattened: its fields sit beside the
//! request's own in JSON), and every batch records one.

use serde::{Deserialize, Serialize};

use super::{EncodeOptions, Format};
use crate::error::{Error, Result};

/// Default output sample rate, Hz.
pub const DEFAULT_SAMPLE_RATE_HZ: u32 = 48_000;

/// Loudness targets a delivery may ask for, LUFS (ITU-R BS.1770-4
/// integrated loudness).
pub const TARGET_LUFS_RANGE: std::ops::RangeInclusive<f64> = -36.0..=-6.0;

/// The delivered files' settings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// Output container.
    pub format: Format,
    /// Output sample rate, Hz (44 100 or 48 000).
    pub sample_rate_hz: u32,
    /// Output bit depth (16 or 24; WAV and FLAC).
    pub bit_depth: u16,
    /// Loudness target, LUFS (−36 to −6); `None` = the kind's default
    /// (speech: the variant's target).
    pub target_lufs: Option<f64>,
    /// MP3/Opus settings, artist and cover.
    pub encode: EncodeOptions,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            format: Format::Wav,
            sample_rate_hz: DEFAULT_SAMPLE_RATE_HZ,
            bit_depth: 16,
            target_lufs: None,
            encode: EncodeOptions::default(),
        }
    }
}

impl Delivery {
    /// The loudness target, or `default` when none was asked for.
    pub fn target_or(&self, default: f64) -> f64 {
        self.target_lufs.unwrap_or(default)
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// [`Error::Config`] naming the unsupported value: a sample rate other
    /// than 44 100 or 48 000 Hz, a bit depth other than 16 or 24, bad MP3 or
    /// Opus settings, a loudness target outside −36 to −6 LUFS.
    pub fn check(&self) -> Result<()> {
        check_output(self.sample_rate_hz, self.bit_depth)?;
        self.encode.check()?;
        if let Some(t) = self.target_lufs {
            if !TARGET_LUFS_RANGE.contains(&t) {
                return Err(Error::Config(format!(
                    "loudness target {t} LUFS is out of range (−36 to −6)"
                )));
            }
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_value_at_fault() {
        assert!(Delivery::default().check().is_ok());
        let bad = |d: Delivery| d.check().expect_err("bad").to_string();
        assert!(bad(Delivery {
            sample_rate_hz: 22_050,
            ..Delivery::default()
        })
        .contains("22050 Hz"));
        assert!(bad(Delivery {
            bit_depth: 8,
            ..Delivery::default()
        })
        .contains("bit depth 8"));
        assert!(bad(Delivery {
            target_lufs: Some(-3.0),
            ..Delivery::default()
        })
        .contains("-3 LUFS"));
        assert_eq!(Delivery::default().target_or(-16.0), -16.0);
    }
}
