//! Decoding any supported audio file (WAV, FLAC, MP3, AAC/M4A, OGG Vorbis)
//! into memory with symphonia, and Ogg Opus with libopus
//! ([`crate::audio::opus_decode`]). The format is detected from the bytes
//! (with the extension only as a hint).

use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::audio::Clip;
use crate::error::{Error, Result};

/// Decodes the first audio track of `path` to interleaved f32.
///
/// # Errors
/// [`Error::Audio`] naming the file: missing, unknown format, no audio track,
/// undecodable, or empty.
pub fn decode_file(path: &Path) -> Result<Clip> {
    if crate::audio::opus_decode::is_ogg_opus(path) {
        return crate::audio::opus_decode::decode_file(path);
    }
    guarded(path, || decode_opened(open_file(path)?, path))
}

/// Runs a decode, turning a panic inside the decoder (symphonia's readers
/// can overflow on damaged data, e.g. an ADTS frame length shorter than its
/// header) into an error naming the file.
fn guarded(path: &Path, f: impl FnOnce() -> Result<Clip>) -> Result<Clip> {
    crate::audio::ingest::quietly(f).unwrap_or_else(|_| {
        Err(Error::audio(
            path,
            "the decoder failed on this file: it is damaged or not audio",
        ))
    })
}

/// Decodes audio held in memory, detecting the format from the bytes alone
/// (never from a declared content type). `label` names it in errors.
///
/// # Errors
/// [`Error::Audio`] naming `label` when the bytes are not decodable audio.
pub fn decode_bytes(bytes: Vec<u8>, label: &Path) -> Result<Clip> {
    guarded(label, || {
        decode_source(Box::new(std::io::Cursor::new(bytes)), Hint::new(), label)
    })
}

/// A container opened at its first audio track, with a decoder for it.
struct Opened {
    format: Box<dyn symphonia::core::formats::FormatReader>,
    track_id: u32,
    params: symphonia::core::codecs::CodecParameters,
    decoder: Box<dyn symphonia::core::codecs::Decoder>,
}

fn open_source(
    source: Box<dyn symphonia::core::io::MediaSource>,
    hint: &Hint,
    path: &Path,
) -> Result<Opened> {
    let mss = MediaSourceStream::new(source, Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            hint,
            mss,
            &FormatOptions {
                enable_gapless: true,
                ..FormatOptions::default()
            },
            &MetadataOptions::default(),
        )
        .map_err(|e| Error::audio(path, format!("not an audio file Intone can read ({e})")))?;
    let format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| Error::audio(path, "no audio track (a video without sound?)"))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    crate::audio::ingest::check_header(
        path,
        params.sample_rate,
        params.channels.map(|c| c.count() as u16),
        params.bits_per_sample,
    )?;
    let decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| Error::audio(path, format!("unsupported codec ({e})")))?;
    Ok(Opened {
        format,
        track_id,
        params,
        decoder,
    })
}

fn open_file(path: &Path) -> Result<Opened> {
    let file =
        std::fs::File::open(path).map_err(|e| Error::audio(path, format!("cannot open: {e}")))?;
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    open_source(Box::new(file), &hint, path)
}

fn decode_source(
    source: Box<dyn symphonia::core::io::MediaSource>,
    hint: Hint,
    path: &Path,
) -> Result<Clip> {
    decode_opened(open_source(source, &hint, path)?, path)
}

fn decode_opened(opened: Opened, path: &Path) -> Result<Clip> {
    let Opened {
        mut format,
        track_id,
        params,
        mut decoder,
    } = opened;
    let mut sample_rate_hz = params.sample_rate.unwrap_or(0);
    let mut channels = params.channels.map_or(0, |c| c.count() as u16);
    let mut samples = Vec::new();
    let mut sbuf: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) => return Err(Error::audio(path, format!("read error: {e}"))),
        };
        if packet.track_id() != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let spec = *decoded.spec();
                sample_rate_hz = spec.rate;
                channels = spec.channels.count() as u16;
                let need = decoded.capacity() as u64;
                if sbuf
                    .as_ref()
                    .is_none_or(|b| (b.capacity() as u64) < need * u64::from(channels))
                {
                    sbuf = Some(SampleBuffer::new(need, spec));
                }
                if let Some(b) = sbuf.as_mut() {
                    b.copy_interleaved_ref(decoded);
                    samples.extend_from_slice(b.samples());
                }
            }
            // A corrupt packet is skipped, as players do.
            Err(SymError::DecodeError(_)) => continue,
            Err(e) => return Err(Error::audio(path, format!("decode error: {e}"))),
        }
    }
    if samples.is_empty() || channels == 0 || sample_rate_hz == 0 {
        return Err(Error::audio(path, "file contains no audio"));
    }
    Ok(Clip {
        sample_rate_hz,
        channels,
        samples,
    })
}

/// What [`probe_file`] learns about an audio file without decoding all of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioInfo {
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Channels.
    pub channels: u16,
    /// Length when the container states it, ms.
    pub duration_ms: Option<i64>,
}

/// Checks that `path` is audio Intone can decode: probes the container and
/// decodes its first audio packet.
///
/// # Errors
/// [`Error::Audio`] naming the file: missing, unknown format, no audio track,
/// or an undecodable first packet.
pub fn probe_file(path: &Path) -> Result<AudioInfo> {
    match crate::audio::ingest::quietly(|| probe_inner(path)) {
        // Symphonia cannot read it (Opus, RF64…): the system's ffmpeg may.
        Ok(Err(Error::Audio { message, .. }))
            if message.starts_with("not an audio file")
                || message.starts_with("unsupported codec")
                || message.starts_with("file contains no audio (") =>
        {
            match crate::audio::external::ExternalDecoder::open(path) {
                Ok(d) => Ok(AudioInfo {
                    sample_rate_hz: d.sample_rate_hz,
                    channels: d.channels,
                    duration_ms: None,
                }),
                Err(Error::NotFound(_)) => Err(Error::audio(path, message)),
                Err(e) => Err(e),
            }
        }
        Ok(r) => r,
        Err(_) => Err(Error::audio(
            path,
            "malformed audio: the decoder failed on its header",
        )),
    }
}

fn probe_inner(path: &Path) -> Result<AudioInfo> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        return Err(Error::audio(path, "the file is empty (0 bytes)"));
    }
    crate::audio::ingest::check_wave_header(path)?;
    if crate::audio::opus_decode::is_ogg_opus(path) {
        let mut r = crate::audio::opus_decode::OpusReader::open(path)?;
        let mut first = Vec::new();
        if r.read_packet(&mut first)? == 0 {
            return Err(Error::audio(path, "file contains no audio"));
        }
        return Ok(AudioInfo {
            sample_rate_hz: r.sample_rate_hz,
            channels: r.channels,
            duration_ms: None,
        });
    }
    let Opened {
        mut format,
        track_id,
        params,
        mut decoder,
    } = open_file(path)?;
    loop {
        let packet = format
            .next_packet()
            .map_err(|e| Error::audio(path, format!("file contains no audio ({e})")))?;
        if packet.track_id() != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let spec = *decoded.spec();
                let rate = params.sample_rate.unwrap_or(spec.rate);
                let duration_ms = params
                    .n_frames
                    .filter(|_| rate > 0)
                    .map(|n| (n as f64 * 1000.0 / f64::from(rate)).round() as i64);
                return Ok(AudioInfo {
                    sample_rate_hz: rate,
                    channels: spec.channels.count() as u16,
                    duration_ms,
                });
            }
            Err(SymError::DecodeError(_)) => continue,
            Err(e) => return Err(Error::audio(path, format!("decode error: {e}"))),
        }
    }
}
