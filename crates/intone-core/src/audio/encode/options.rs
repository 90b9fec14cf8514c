//! What a delivered file is: its container ([`Format`]) and the settings of
//! the lossy encoders ([`EncodeOptions`]).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Container of a delivered track.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// RIFF WAVE, PCM.
    Wav,
    /// FLAC (lossless).
    Flac,
    /// MPEG-1/2 Layer III through LAME, with an ID3v2.4 tag.
    Mp3,
    /// Opus (RFC 6716) in Ogg (RFC 7845), 48 kHz.
    Opus,
}

impl Format {
    /// Every format, in the order they are offered.
    pub const ALL: [Self; 4] = [Self::Wav, Self::Flac, Self::Mp3, Self::Opus];

    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Flac => "flac",
            Self::Mp3 => "mp3",
            Self::Opus => "opus",
        }
    }

    /// Whether the format stores PCM samples at a bit depth (WAV, FLAC).
    pub fn is_pcm(self) -> bool {
        matches!(self, Self::Wav | Self::Flac)
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "wav" => Ok(Self::Wav),
            "flac" => Ok(Self::Flac),
            "mp3" => Ok(Self::Mp3),
            "opus" | "ogg" => Ok(Self::Opus),
            other => Err(Error::Config(format!(
                "unknown format \"{other}\" (use wav, flac, mp3 or opus)"
            ))),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

/// LAME's rate control.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Mp3Mode {
    /// Constant bit rate, kbit/s (one of MPEG's rates: 32–320).
    Cbr {
        /// Bit rate, kbit/s.
        kbps: u16,
    },
    /// Variable bit rate at LAME quality `-V quality` (0 best … 9 smallest).
    Vbr {
        /// LAME's `-V` level, 0–9.
        quality: u8,
    },
}

impl Default for Mp3Mode {
    /// `-V 2`: LAME's recommended transparent VBR (about 190 kbit/s).
    fn default() -> Self {
        Self::Vbr { quality: 2 }
    }
}

/// MPEG-1 Layer III bit rates LAME takes in CBR, kbit/s.
pub const MP3_RATES_KBPS: [u16; 14] = [
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
];

impl std::str::FromStr for Mp3Mode {
    type Err = Error;
    /// `cbr:192` / `192` (CBR, kbit/s) or `vbr:2` / `v2` (LAME `-V 2`).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || {
            Error::Config(format!(
                "bad MP3 setting \"{s}\" (use cbr:KBPS such as cbr:192, or vbr:0 … vbr:9)"
            ))
        };
        let mode = if let Some(q) = t.strip_prefix("vbr:").or_else(|| t.strip_prefix('v')) {
            Self::Vbr {
                quality: q.parse().map_err(|_| bad())?,
            }
        } else {
            Self::Cbr {
                kbps: t
                    .strip_prefix("cbr:")
                    .unwrap_or(&t)
                    .parse()
                    .map_err(|_| bad())?,
            }
        };
        mode.check()?;
        Ok(mode)
    }
}

impl std::fmt::Display for Mp3Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cbr { kbps } => write!(f, "cbr:{kbps}"),
            Self::Vbr { quality } => write!(f, "vbr:{quality}"),
        }
    }
}

impl Mp3Mode {
    /// Checks the rate or quality is one LAME takes.
    ///
    /// # Errors
    /// [`Error::Config`] naming the value.
    pub fn check(self) -> Result<()> {
        match self {
            Self::Cbr { kbps } if !MP3_RATES_KBPS.contains(&kbps) => Err(Error::Config(format!(
                "MP3 bit rate {kbps} kbit/s is not an MPEG rate (use one of {MP3_RATES_KBPS:?})"
            ))),
            Self::Vbr { quality } if quality > 9 => Err(Error::Config(format!(
                "MP3 VBR quality {quality} is out of range (0 best … 9 smallest)"
            ))),
            _ => Ok(()),
        }
    }
}

/// Opus bit rates offered, kbit/s (libopus takes 6–510).
pub const OPUS_KBPS_RANGE: std::ops::RangeInclusive<u32> = 6..=510;

/// How a batch's lossy files are encoded and tagged. Stored with the batch
/// (JSON), so a resumed batch encodes as it was asked to.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EncodeOptions {
    /// MP3 rate control.
    pub mp3: Mp3Mode,
    /// Opus bit rate, kbit/s (whole file, all channels).
    pub opus_kbps: u32,
    /// Artist tag (all formats with tags); none when unset.
    pub artist: Option<String>,
    /// Cover image (PNG or JPEG) embedded in MP3, FLAC and Opus files.
    pub cover: Option<PathBuf>,
}

impl Default for EncodeOptions {
    /// VBR `-V 2` MP3, 96 kbit/s Opus, no artist, no cover.
    fn default() -> Self {
        Self {
            mp3: Mp3Mode::default(),
            opus_kbps: 96,
            artist: None,
            cover: None,
        }
    }
}

impl EncodeOptions {
    /// What decides a delivered file's bytes, for dedup keys: the format's
    /// extension, plus these options when they are not the defaults (so keys
    /// made before the options existed stay the same).
    pub fn key(&self, format: Format) -> String {
        if *self == Self::default() {
            format.extension().to_owned()
        } else {
            format!(
                "{} {}",
                format.extension(),
                serde_json::to_string(self).unwrap_or_default()
            )
        }
    }

    /// Checks every setting, and that the cover (if any) is a readable PNG
    /// or JPEG.
    ///
    /// # Errors
    /// [`Error::Config`] naming the bad setting; [`Error::Audio`] naming the
    /// cover file.
    pub fn check(&self) -> Result<()> {
        self.mp3.check()?;
        if !OPUS_KBPS_RANGE.contains(&self.opus_kbps) {
            return Err(Error::Config(format!(
                "Opus bit rate {} kbit/s is out of range ({}–{})",
                self.opus_kbps,
                OPUS_KBPS_RANGE.start(),
                OPUS_KBPS_RANGE.end()
            )));
        }
        if let Some(cover) = &self.cover {
            crate::audio::tags::Cover::read(cover)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mp3_settings_parse_and_refuse_what_lame_does_not_take() {
        assert_eq!(
            "cbr:192".parse::<Mp3Mode>().expect("cbr"),
            Mp3Mode::Cbr { kbps: 192 }
        );
        assert_eq!(
            "320".parse::<Mp3Mode>().expect("bare"),
            Mp3Mode::Cbr { kbps: 320 }
        );
        assert_eq!(
            "V0".parse::<Mp3Mode>().expect("v0"),
            Mp3Mode::Vbr { quality: 0 }
        );
        assert_eq!(
            "vbr:4".parse::<Mp3Mode>().expect("vbr"),
            Mp3Mode::Vbr { quality: 4 }
        );
        let e = "cbr:100".parse::<Mp3Mode>().expect_err("100");
        assert!(e.to_string().contains("100 kbit/s"), "{e}");
        assert!("vbr:10".parse::<Mp3Mode>().is_err());
        assert!("fast".parse::<Mp3Mode>().is_err());
        for f in Format::ALL {
            assert_eq!(f.extension().parse::<Format>().expect("format"), f);
        }
        let mut o = EncodeOptions {
            opus_kbps: 600,
            ..EncodeOptions::default()
        };
        assert!(o.check().is_err());
        o.opus_kbps = 64;
        o.check().expect("ok");
    }
}
