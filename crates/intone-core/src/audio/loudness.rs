//! Loudness and peak measurement per EBU R128 / ITU-R BS.1770-4, using the
//! `ebur128` crate (a port of libebur128): integrated loudness with K-weighting
//! and gating, and true peak with oversampling.

use std::path::Path;

use ebur128::{EbuR128, Mode};
use serde::{Deserialize, Serialize};

use crate::audio::wav::WavBlockReader;
use crate::audio::BLOCK_FRAMES;
use crate::error::{Error, Result};

/// What a measurement found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Integrated loudness in LUFS (`-inf` → reported as −70 for silence).
    pub integrated_lufs: f64,
    /// Maximum true peak over all channels in dBTP.
    pub true_peak_dbtp: f64,
}

/// Loudness below this is treated as silence (the absolute gate of BS.1770-4).
pub const SILENCE_LUFS: f64 = -70.0;

/// A streaming loudness meter.
pub struct Meter {
    inner: EbuR128,
    channels: u32,
    path: std::path::PathBuf,
}

impl Meter {
    /// A meter for `channels` at `sample_rate_hz`; `label` names the audio in errors.
    ///
    /// # Errors
    /// [`Error::Audio`] for unsupported channel counts or rates.
    pub fn new(channels: u16, sample_rate_hz: u32, label: &Path) -> Result<Self> {
        let inner = EbuR128::new(u32::from(channels), sample_rate_hz, Mode::I | Mode::TRUE_PEAK)
            .map_err(|e| Error::audio(label, format!("loudness meter: {e:?}")))?;
        Ok(Self {
            inner,
            channels: u32::from(channels),
            path: label.to_path_buf(),
        })
    }

    /// Adds interleaved frames.
    ///
    /// # Errors
    /// [`Error::Audio`] if the meter rejects the block.
    pub fn add(&mut self, interleaved: &[f32]) -> Result<()> {
        self.inner
            .add_frames_f32(interleaved)
            .map_err(|e| Error::audio(&self.path, format!("loudness meter: {e:?}")))
    }

    /// The measurement so far.
    ///
    /// # Errors
    /// [`Error::Audio`] if the meter cannot report.
    pub fn result(&self) -> Result<Loudness> {
        let l = self
            .inner
            .loudness_global()
            .map_err(|e| Error::audio(&self.path, format!("loudness meter: {e:?}")))?;
        let mut tp = 0f64;
        for c in 0..self.channels {
            tp = tp.max(
                self.inner
                    .true_peak(c)
                    .map_err(|e| Error::audio(&self.path, format!("loudness meter: {e:?}")))?,
            );
        }
        Ok(Loudness {
            integrated_lufs: if l.is_finite() { l.max(SILENCE_LUFS) } else { SILENCE_LUFS },
            true_peak_dbtp: if tp > 0.0 { super::gain_to_db(tp) } else { -144.0 },
        })
    }
}

/// Measures a WAV file block by block.
///
/// # Errors
/// [`Error::Audio`] naming the file.
pub fn measure_file(path: &Path) -> Result<Loudness> {
    let mut r = WavBlockReader::open(path)?;
    let mut m = Meter::new(r.channels, r.sample_rate_hz, path)?;
    let mut buf = Vec::new();
    while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        m.add(&buf)?;
    }
    m.result()
}

/// Measures a clip in memory.
///
/// # Errors
/// [`Error::Audio`] if the meter fails.
pub fn measure_clip(clip: &super::Clip) -> Result<Loudness> {
    let mut m = Meter::new(clip.channels, clip.sample_rate_hz, Path::new("<clip>"))?;
    m.add(&clip.samples)?;
    m.result()
}
