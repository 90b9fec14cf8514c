//! Ingesting a user's audio file: decoded packet by packet (symphonia) into
//! an f32 WAV at its own sample rate, so memory does not grow with its length.
//!
//! This is where arbitrary files enter the product, so the container's claims
//! are checked before anything is allocated from them (sample rate, channels,
//! bit depth), the decoded length is capped, and a panic inside a decoder on a
//! malformed file becomes an error naming the file instead of a crash.
//! More than two channels are folded to stereo (even channels left, odd right).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use serde::{Deserialize, Serialize};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::audio::wav::WavBlockWriter;
use crate::error::{Error, Result};

/// Lowest sample rate accepted, Hz (telephone audio is 8 kHz).
pub const MIN_SAMPLE_RATE_HZ: u32 = 4_000;
/// Highest sample rate accepted, Hz (the highest studio rate is 384 kHz).
pub const MAX_SAMPLE_RATE_HZ: u32 = 384_000;
/// Most channels accepted (Wave/AIFF allow more in theory; nobody records that).
pub const MAX_CHANNELS: u16 = 32;
/// Longest input accepted, hours.
pub const MAX_HOURS: u64 = 24;

/// What ingest found and wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Codec as symphonia names it (`pcm_s16le`, `aac`, `mp3`…).
    pub codec: String,
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Channels in the file.
    pub source_channels: u16,
    /// Channels written (at most 2).
    pub channels: u16,
    /// Frames written.
    pub frames: u64,
    /// Packets the decoder could not decode and skipped (as players do).
    pub skipped_packets: u64,
}

/// Decodes `input` into the f32 WAV `output`.
///
/// # Errors
/// [`Error::Audio`] naming `input`: not audio, no audio track, impossible
/// header (rate, channels, bit depth), longer than [`MAX_HOURS`], no audio
/// decoded, or a decoder failure (including one that panicked).
pub fn ingest_file(input: &Path, output: &Path) -> Result<IngestReport> {
    ingest_file_limited(input, output, None)
}

/// [`ingest_file`], stopping after about `max_ms` of audio when given (the
/// last packet is kept whole): for previews of long files.
///
/// # Errors
/// As [`ingest_file`].
pub fn ingest_file_limited(
    input: &Path,
    output: &Path,
    max_ms: Option<u64>,
) -> Result<IngestReport> {
    match catch_unwind(AssertUnwindSafe(|| ingest_inner(input, output, max_ms))) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            Err(Error::audio(
                input,
                format!("malformed audio: the decoder failed ({what})"),
            ))
        }
    }
}

/// Refuses impossible header values before anything is sized from them.
///
/// # Errors
/// [`Error::Audio`] naming `input` and the value.
pub(crate) fn check_header(
    input: &Path,
    rate: Option<u32>,
    channels: Option<u16>,
    bits: Option<u32>,
) -> Result<()> {
    if let Some(r) = rate {
        if !(MIN_SAMPLE_RATE_HZ..=MAX_SAMPLE_RATE_HZ).contains(&r) {
            return Err(Error::audio(
                input,
                format!(
                    "impossible sample rate {r} Hz in the header (accepted: {MIN_SAMPLE_RATE_HZ}–{MAX_SAMPLE_RATE_HZ} Hz)"
                ),
            ));
        }
    }
    if let Some(c) = channels {
        if c == 0 || c > MAX_CHANNELS {
            return Err(Error::audio(
                input,
                format!("impossible channel count {c} in the header (accepted: 1–{MAX_CHANNELS})"),
            ));
        }
    }
    if let Some(b) = bits {
        if b == 0 || b > 64 {
            return Err(Error::audio(
                input,
                format!("impossible bit depth {b} in the header"),
            ));
        }
    }
    Ok(())
}

fn ingest_inner(input: &Path, output: &Path, max_ms: Option<u64>) -> Result<IngestReport> {
    let meta =
        std::fs::metadata(input).map_err(|e| Error::audio(input, format!("cannot open: {e}")))?;
    if meta.len() == 0 {
        return Err(Error::audio(input, "the file is empty (0 bytes)"));
    }
    let file =
        std::fs::File::open(input).map_err(|e| Error::audio(input, format!("cannot open: {e}")))?;
    let mut hint = Hint::new();
    if let Some(ext) = input.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| Error::audio(input, format!("not an audio file Intone can read ({e})")))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| Error::audio(input, "no audio track (a video without sound?)"))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    check_header(
        input,
        params.sample_rate,
        params.channels.map(|c| c.count() as u16),
        params.bits_per_sample,
    )?;
    let codec = symphonia::default::get_codecs()
        .get_codec(params.codec)
        .map_or_else(
            || format!("{:?}", params.codec),
            |d| d.short_name.to_string(),
        );
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| Error::audio(input, format!("unsupported codec {codec} ({e})")))?;

    let mut writer: Option<(WavBlockWriter, u32, u16, u16)> = None;
    let mut sbuf: Option<SampleBuffer<f32>> = None;
    let mut folded = Vec::new();
    let mut frames = 0u64;
    let mut skipped = 0u64;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) if frames > 0 => {
                tracing::warn!(
                    "{}: stopped reading at a damaged part ({e})",
                    input.display()
                );
                break;
            }
            Err(e) => return Err(Error::audio(input, format!("read error: {e}"))),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            Err(SymError::DecodeError(_)) => {
                skipped += 1;
                continue;
            }
            Err(e) => return Err(Error::audio(input, format!("decode error: {e}"))),
        };
        let spec = *decoded.spec();
        let ch = spec.channels.count() as u16;
        check_header(input, Some(spec.rate), Some(ch), None)?;
        let (w, rate, src_ch, _) = match writer.as_mut() {
            Some(w) => w,
            None => {
                let out_ch = ch.min(2);
                let w = WavBlockWriter::create(output, spec.rate, out_ch)?;
                writer.insert((w, spec.rate, ch, out_ch))
            }
        };
        if spec.rate != *rate || ch != *src_ch {
            return Err(Error::audio(
                input,
                "the sample rate or channel count changes in the middle of the file",
            ));
        }
        let need = decoded.capacity() as u64;
        if sbuf
            .as_ref()
            .is_none_or(|b| (b.capacity() as u64) < need * u64::from(ch))
        {
            sbuf = Some(SampleBuffer::new(need, spec));
        }
        let Some(b) = sbuf.as_mut() else { continue };
        b.copy_interleaved_ref(decoded);
        let samples = b.samples();
        let n = (samples.len() / usize::from(ch)) as u64;
        frames += n;
        if frames > MAX_HOURS * 3600 * u64::from(*rate) {
            return Err(Error::audio(
                input,
                format!("longer than {MAX_HOURS} hours; split it first"),
            ));
        }
        if ch <= 2 {
            w.write(samples)?;
        } else {
            folded.clear();
            for f in samples.chunks_exact(usize::from(ch)) {
                let (mut l, mut r) = (0f32, 0f32);
                for (i, s) in f.iter().enumerate() {
                    if i % 2 == 0 {
                        l += s;
                    } else {
                        r += s;
                    }
                }
                let half = f32::from(ch) / 2.0;
                folded.push(l / half.ceil());
                folded.push(r / half.floor().max(1.0));
            }
            w.write(&folded)?;
        }
        if max_ms.is_some_and(|ms| frames * 1000 >= ms * u64::from(*rate)) {
            break;
        }
    }
    let Some((w, rate, src_ch, out_ch)) = writer else {
        return Err(Error::audio(input, "the file contains no audio"));
    };
    w.finish()?;
    if frames == 0 {
        return Err(Error::audio(input, "the file contains no audio"));
    }
    Ok(IngestReport {
        codec,
        sample_rate_hz: rate,
        source_channels: src_ch,
        channels: out_ch,
        frames,
        skipped_packets: skipped,
    })
}
