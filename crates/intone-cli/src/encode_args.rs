//! The delivery options every making command takes: how MP3 and Opus files
//! are encoded, and the artist and cover written into tagged files.

use std::path::PathBuf;

use clap::Args;
use intone_core::audio::encode::{EncodeOptions, Mp3Mode};

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
