//! The delivery options every command that writes audio takes, declared
//! once: container, sample rate, bit depth, loudness target, how MP3 and
//! Opus files are encoded, and the artist and cover written into tagged
//! files.

use std::path::PathBuf;

use clap::Args;
use intone_core::audio::encode::{Delivery, EncodeOptions, Format, Mp3Mode};

/// `--mp3`, `--opus-kbps`, `--artist`, `--cover`.
#[derive(Args, Debug, Clone)]
pub struct EncodeArgs {
    /// MP3 rate control: cbr:KBPS (32–320, e.g. cbr:192) or vbr:Q (LAME -V, 0 best … 9 smallest).
    #[arg(long, value_name = "MODE", default_value = "vbr:2")]
    pub mp3: Mp3Mode,
    /// Opus bit rate in kbit/s (6–510).
    #[arg(long, value_name = "KBPS", default_value_t = 96)]
    pub opus_kbps: u32,
    /// Artist tag of MP3, FLAC and Opus files.
    #[arg(long)]
    pub artist: Option<String>,
    /// Cover image (PNG or JPEG) embedded in MP3, FLAC and Opus files.
    #[arg(long, value_name = "IMAGE")]
    pub cover: Option<PathBuf>,
}

impl EncodeArgs {
    /// The core's options.
    pub fn options(&self) -> EncodeOptions {
        EncodeOptions {
            mp3: self.mp3,
            opus_kbps: self.opus_kbps,
            artist: self.artist.clone(),
            cover: self.cover.clone(),
        }
    }
}

/// One `--set KEY=VALUE` (a converter setting, a model parameter), split
/// when the command line is parsed; both sides trimmed.
///
/// # Errors
/// A value without `=`.
pub fn key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s}: expected KEY=VALUE"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// `--format`, `--sample-rate`, `--bit-depth`, `--target-lufs` and the
/// encode options: how a command's files are delivered.
#[derive(Args, Debug, Clone)]
pub struct DeliveryArgs {
    /// Output format (WAV and FLAC at --bit-depth; MP3 and Opus as --mp3 / --opus-kbps say).
    #[arg(long, default_value = "wav", value_parser = ["wav", "flac", "mp3", "opus"])]
    pub format: String,
    /// Output sample rate in Hz (44100 or 48000).
    #[arg(long, default_value_t = 48_000)]
    pub sample_rate: u32,
    /// Output bit depth (16 or 24).
    #[arg(long, default_value_t = 16)]
    pub bit_depth: u16,
    /// Loudness target, LUFS (−36 to −6; default −16, or the variant's for `generate`).
    #[arg(long, allow_negative_numbers = true, value_name = "LUFS")]
    pub target_lufs: Option<f64>,
    #[command(flatten)]
    pub encode: EncodeArgs,
}

impl DeliveryArgs {
    /// The core's delivery settings.
    ///
    /// # Errors
    /// An unknown format.
    pub fn delivery(&self) -> anyhow::Result<Delivery> {
        Ok(Delivery {
            format: self.format.parse::<Format>()?,
            sample_rate_hz: self.sample_rate,
            bit_depth: self.bit_depth,
            target_lufs: self.target_lufs,
            encode: self.encode.options(),
        })
    }
}
