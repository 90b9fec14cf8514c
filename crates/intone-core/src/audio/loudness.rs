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
    /// Maximum true peak over all channels in dBTP (the sample peak, in dBFS,
    /// for measurements made with [`Meter::integrated_only`]).
    pub true_peak_dbtp: f64,
}

/// Loudness below this is treated as silence (the absolute gate of BS.1770-4).
pub const SILENCE_LUFS: f64 = -70.0;

/// A streaming loudness meter.
pub struct Meter {
    inner: EbuR128,
    channels: u32,
    path: std::path::PathBuf,
    true_peak: bool,
}

impl Meter {
    /// A meter for `channels` at `sample_rate_hz`; `label` names the audio in errors.
    ///
    /// # Errors
    /// [`Error::Audio`] for unsupported channel counts or rates.
    pub fn new(channels: u16, sample_rate_hz: u32, label: &Path) -> Result<Self> {
        Self::with_mode(channels, sample_rate_hz, label, Mode::I | Mode::TRUE_PEAK)
    }

    /// A cheaper meter for integrated loudness only: the peak it reports is
    /// the sample peak, not the (4× oversampled) true peak.
    ///
    /// # Errors
    /// [`Error::Audio`] for unsupported channel counts or rates.
    pub fn integrated_only(channels: u16, sample_rate_hz: u32, label: &Path) -> Result<Self> {
        Self::with_mode(channels, sample_rate_hz, label, Mode::I | Mode::SAMPLE_PEAK)
    }

    fn with_mode(channels: u16, sample_rate_hz: u32, label: &Path, mode: Mode) -> Result<Self> {
        let inner = EbuR128::new(u32::from(channels), sample_rate_hz, mode)
            .map_err(|e| Error::audio(label, format!("loudness meter: {e:?}")))?;
        Ok(Self {
            inner,
            channels: u32::from(channels),
            path: label.to_path_buf(),
            true_peak: mode.contains(Mode::TRUE_PEAK),
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
            let peak = if self.true_peak {
                self.inner.true_peak(c)
            } else {
                self.inner.sample_peak(c)
            };
            tp = tp
                .max(peak.map_err(|e| Error::audio(&self.path, format!("loudness meter: {e:?}")))?);
        }
        Ok(Loudness {
            integrated_lufs: if l.is_finite() {
                l.max(SILENCE_LUFS)
            } else {
                SILENCE_LUFS
            },
            true_peak_dbtp: if tp > 0.0 {
                super::gain_to_db(tp)
            } else {
                -144.0
            },
        })
    }
}

/// Measures a WAV file block by block: integrated loudness and true peak.
///
/// # Errors
/// [`Error::Audio`] naming the file.
pub fn measure_file(path: &Path) -> Result<Loudness> {
    measure_file_with(path, Meter::new)
}

/// Measures integrated loudness of a WAV file; the peak is the sample peak.
///
/// # Errors
/// [`Error::Audio`] naming the file.
pub fn measure_file_integrated(path: &Path) -> Result<Loudness> {
    measure_file_with(path, Meter::integrated_only)
}

fn measure_file_with(path: &Path, make: fn(u16, u32, &Path) -> Result<Meter>) -> Result<Loudness> {
    let mut r = WavBlockReader::open(path)?;
    let mut m = make(r.channels, r.sample_rate_hz, path)?;
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
