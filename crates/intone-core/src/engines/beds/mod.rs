//! Beds: background audio under the voice. Procedural beds are generated
//! sample by sample (seamless for any length, deterministic for a seed);
//! file beds are decoded, resampled and looped with crossfades.

mod file;
mod night;
mod noise;
mod ocean;
mod pulse;
mod rain;
mod wind;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::loudness::Meter;
use crate::audio::mix::BedSource;
use crate::error::{Error, Result};

pub use file::FileBed;
pub use night::Night;
pub use ocean::Ocean;
pub use pulse::Pulse;
pub use rain::Rain;
pub use wind::Wind;

/// Which bed a variant uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum BedSpec {
    /// No bed: the voice alone.
    None,
    /// Procedural ocean waves: slow, irregular swells of shaped noise.
    Ocean,
    /// Procedural upbeat groove around 120 BPM.
    Pulse,
    /// Procedural rain: hiss and droplets.
    Rain,
    /// Procedural wind: gusts through a gliding band-pass.
    Wind,
    /// Procedural summer night: crickets over a soft hush.
    Night,
    /// An audio file, looped with crossfades.
    File(PathBuf),
    /// Music made from this prompt by the default music engine, generated
    /// once and kept as a take (cached by its settings); the studio turns it
    /// into [`BedSpec::File`] before a batch is recorded.
    Music(String),
}

impl std::str::FromStr for BedSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "" | "none" => Ok(Self::None),
            "ocean" => Ok(Self::Ocean),
            "pulse" => Ok(Self::Pulse),
            "rain" => Ok(Self::Rain),
            "wind" => Ok(Self::Wind),
            "night" => Ok(Self::Night),
            _ => match (t.strip_prefix("file:"), t.strip_prefix("music:")) {
                (Some(p), _) if !p.trim().is_empty() => Ok(Self::File(PathBuf::from(p.trim()))),
                (_, Some(p)) if !p.trim().is_empty() => Ok(Self::Music(p.trim().to_string())),
                _ => Err(Error::Config(format!(
                    "unknown bed \"{t}\" (use none, ocean, pulse, rain, wind, night, file:<path> or music:<prompt>)"
                ))),
            },
        }
    }
}

impl TryFrom<String> for BedSpec {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<BedSpec> for String {
    fn from(b: BedSpec) -> Self {
        b.to_string()
    }
}

impl std::fmt::Display for BedSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Ocean => f.write_str("ocean"),
            Self::Pulse => f.write_str("pulse"),
            Self::Rain => f.write_str("rain"),
            Self::Wind => f.write_str("wind"),
            Self::Night => f.write_str("night"),
            Self::File(p) => write!(f, "file:{}", p.display()),
            Self::Music(p) => write!(f, "music:{p}"),
        }
    }
}

/// Seconds of bed measured to find its loudness.
const MEASURE_SECONDS: u32 = 30;

/// An open bed with its measured integrated loudness.
pub struct OpenBed {
    /// The sample source (stereo, at the requested rate).
    pub source: Box<dyn BedSource>,
    /// Integrated loudness of the source at unity gain, LUFS.
    pub loudness_lufs: f64,
}

/// Opens `spec` at `sample_rate_hz`. `seed` varies procedural beds between
/// tracks while keeping each one reproducible. Returns `None` for
/// [`BedSpec::None`].
///
/// # Errors
/// [`Error::Audio`] naming a file bed that cannot be decoded;
/// [`Error::Config`] for a [`BedSpec::Music`] not yet resolved to its take.
pub fn open(spec: &BedSpec, sample_rate_hz: u32, seed: u64) -> Result<Option<OpenBed>> {
    let make = |seed| -> Result<Option<Box<dyn BedSource>>> {
        Ok(match spec {
            BedSpec::None => None,
            BedSpec::Ocean => Some(Box::new(Ocean::new(sample_rate_hz, seed))),
            BedSpec::Pulse => Some(Box::new(Pulse::new(sample_rate_hz, seed))),
            BedSpec::Rain => Some(Box::new(Rain::new(sample_rate_hz, seed))),
            BedSpec::Wind => Some(Box::new(Wind::new(sample_rate_hz, seed))),
            BedSpec::Night => Some(Box::new(Night::new(sample_rate_hz, seed))),
            BedSpec::File(p) => Some(Box::new(FileBed::open(p, sample_rate_hz)?)),
            BedSpec::Music(p) => {
                return Err(Error::Config(format!(
                "the music bed \"{p}\" has not been generated (plan the batch through the studio)"
            )))
            }
        })
    };
    let Some(mut probe) = make(seed)? else {
        return Ok(None);
    };
    // Measure a fresh instance for its loudness (deterministic: same seed, same audio).
    let mut meter = Meter::new(2, sample_rate_hz, std::path::Path::new(&spec.to_string()))?;
    let mut buf = vec![0f32; 4096 * 2];
    let mut left = u64::from(sample_rate_hz) * u64::from(MEASURE_SECONDS);
    while left > 0 {
        let n = (left as usize).min(4096);
        probe.fill(&mut buf[..n * 2]);
        meter.add(&buf[..n * 2])?;
        left -= n as u64;
    }
    let loudness_lufs = meter.result()?.integrated_lufs;
    let source = make(seed)?.ok_or_else(|| Error::Config("bed vanished".into()))?;
    Ok(Some(OpenBed {
        source,
        loudness_lufs,
    }))
}
