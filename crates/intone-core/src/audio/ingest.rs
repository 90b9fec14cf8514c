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
    match quietly(|| ingest_inner(input, output, max_ms)) {
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

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into an `Err` without the panic message on
/// stderr: a decoder that panics on a malformed file is reported by the
/// caller as one line naming the file. Panics elsewhere print as usual.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    r
}

/// Checks a RIFF/RF64 WAVE file's `fmt ` chunk before any decoder reads it
/// (a 0 Hz rate makes symphonia divide by zero). Other formats pass.
/// The layout is Microsoft's RIFF WAVE (`fmt `: format u16, channels u16,
/// rate u32, byte rate u32, block align u16, bits u16) and EBU Tech 3306
/// for RF64.
///
/// # Errors
/// [`Error::Audio`] naming `input` and the impossible value.
pub(crate) fn check_wave_header(input: &Path) -> Result<()> {
    use std::io::Read;
    let Ok(f) = std::fs::File::open(input) else {
        return Ok(());
    };
    let mut head = Vec::with_capacity(4096);
    if f.take(4096).read_to_end(&mut head).is_err() || head.len() < 12 {
        return Ok(());
    }
    if !(matches!(&head[..4], b"RIFF" | b"RF64" | b"BW64") && &head[8..12] == b"WAVE") {
        return Ok(());
    }
    let mut at = 12usize;
    while at + 8 <= head.len() {
        let id = &head[at..at + 4];
        let size =
            u32::from_le_bytes([head[at + 4], head[at + 5], head[at + 6], head[at + 7]]) as usize;
        if id == b"fmt " {
            let b = &head[at + 8..head.len().min(at + 8 + size)];
            if b.len() < 16 {
                return Err(Error::audio(
                    input,
                    "broken WAV header (fmt chunk too short)",
                ));
            }
            let channels = u16::from_le_bytes([b[2], b[3]]);
            let rate = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            let bits = u16::from_le_bytes([b[14], b[15]]);
            return check_header(input, Some(rate), Some(channels), Some(u32::from(bits)));
        }
        at = at.saturating_add(8 + size + (size & 1));
    }
    Ok(())
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

/// Writes decoded blocks to the working WAV, folding more than two channels
/// to stereo and enforcing [`MAX_HOURS`].
struct Sink<'a> {
    input: &'a Path,
    output: &'a Path,
    writer: Option<(WavBlockWriter, u32, u16, u16)>,
    folded: Vec<f32>,
    frames: u64,
}

impl<'a> Sink<'a> {
    fn new(input: &'a Path, output: &'a Path) -> Self {
        Self {
            input,
            output,
            writer: None,
            folded: Vec::new(),
            frames: 0,
        }
    }

    fn push(&mut self, samples: &[f32], rate: u32, ch: u16) -> Result<()> {
        let input = self.input;
        check_header(input, Some(rate), Some(ch), None)?;
        let (w, r0, c0, _) = match self.writer.as_mut() {
            Some(w) => w,
            None => {
                let w = WavBlockWriter::create(self.output, rate, ch.min(2))?;
                self.writer.insert((w, rate, ch, ch.min(2)))
            }
        };
        if rate != *r0 || ch != *c0 {
            return Err(Error::audio(
                input,
                "the sample rate or channel count changes in the middle of the file",
            ));
        }
        self.frames += (samples.len() / usize::from(ch)) as u64;
        if self.frames > MAX_HOURS * 3600 * u64::from(rate) {
            return Err(Error::audio(
                input,
                format!("longer than {MAX_HOURS} hours; split it first"),
            ));
        }
        if ch <= 2 {
            return w.write(samples);
        }
        self.folded.clear();
        let half = f32::from(ch) / 2.0;
        for f in samples.chunks_exact(usize::from(ch)) {
            let (mut l, mut r) = (0f32, 0f32);
            for (i, s) in f.iter().enumerate() {
                if i % 2 == 0 {
                    l += s;
                } else {
                    r += s;
                }
            }
            self.folded.push(l / half.ceil());
            self.folded.push(r / half.floor().max(1.0));
        }
        w.write(&self.folded)
    }

    fn reached(&self, max_ms: Option<u64>) -> bool {
        let rate = self.writer.as_ref().map_or(0, |w| u64::from(w.1));
        max_ms.is_some_and(|ms| rate > 0 && self.frames * 1000 >= ms * rate)
    }

    fn finish(self, codec: String, skipped: u64) -> Result<IngestReport> {
        let Some((w, rate, src_ch, out_ch)) = self.writer else {
            return Err(Error::audio(self.input, "the file contains no audio"));
        };
        w.finish()?;
        if self.frames == 0 {
            return Err(Error::audio(self.input, "the file contains no audio"));
        }
        Ok(IngestReport {
            codec,
            sample_rate_hz: rate,
            source_channels: src_ch,
            channels: out_ch,
            frames: self.frames,
            skipped_packets: skipped,
        })
    }
}

/// Why symphonia could not ingest a file: it cannot read the format at all
/// (another decoder may), or anything else.
enum IngestError {
    Unreadable(Error),
    Other(Error),
}
use IngestError::{Other, Unreadable};

impl From<Error> for IngestError {
    fn from(e: Error) -> Self {
        Other(e)
    }
}

fn ingest_inner(input: &Path, output: &Path, max_ms: Option<u64>) -> Result<IngestReport> {
    let meta =
        std::fs::metadata(input).map_err(|e| Error::audio(input, format!("cannot open: {e}")))?;
    if meta.len() == 0 {
        return Err(Error::audio(input, "the file is empty (0 bytes)"));
    }
    check_wave_header(input)?;
    let mut sink = Sink::new(input, output);
    if crate::audio::opus_decode::is_ogg_opus(input) {
        let mut r = crate::audio::opus_decode::OpusReader::open(input)?;
        let mut buf = Vec::new();
        while r.read_packet(&mut buf)? > 0 {
            sink.push(&buf, r.sample_rate_hz, r.channels)?;
            if sink.reached(max_ms) {
                break;
            }
        }
        return sink.finish("opus".into(), 0);
    }
    match ingest_symphonia(input, &mut sink, max_ms) {
        Ok(r) => Ok(r),
        // Symphonia cannot read it (Opus, RF64…): the system's ffmpeg may.
        Err(Unreadable(e))
            if sink.frames == 0 && crate::audio::external::ffmpeg_program().is_some() =>
        {
            drop(sink);
            let mut sink = Sink::new(input, output);
            let mut d = crate::audio::external::ExternalDecoder::open(input).map_err(|_| e)?;
            let mut buf = Vec::new();
            while d.read_block(&mut buf, 8192)? > 0 {
                sink.push(&buf, d.sample_rate_hz, d.channels)?;
                if sink.reached(max_ms) {
                    break;
                }
            }
            sink.finish("ffmpeg".into(), 0)
        }
        Err(Unreadable(e) | Other(e)) => Err(e),
    }
}

fn ingest_symphonia(
    input: &Path,
    sink: &mut Sink<'_>,
    max_ms: Option<u64>,
) -> std::result::Result<IngestReport, IngestError> {
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
            &FormatOptions {
                enable_gapless: true,
                ..FormatOptions::default()
            },
            &MetadataOptions::default(),
        )
        .map_err(|e| {
            Unreadable(Error::audio(
                input,
                format!("not an audio file Intone can read ({e})"),
            ))
        })?;
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
        .map_err(|e| {
            Unreadable(Error::audio(
                input,
                format!("unsupported codec {codec} ({e})"),
            ))
        })?;

    let mut sbuf: Option<SampleBuffer<f32>> = None;
    let mut skipped = 0u64;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) if sink.frames > 0 => {
                tracing::warn!(
                    "{}: stopped reading at a damaged part ({e})",
                    input.display()
                );
                break;
            }
            Err(e) => return Err(Unreadable(Error::audio(input, format!("read error: {e}")))),
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
            Err(e) if sink.frames == 0 => {
                return Err(Unreadable(Error::audio(
                    input,
                    format!("decode error: {e}"),
                )))
            }
            Err(e) => return Err(Other(Error::audio(input, format!("decode error: {e}")))),
        };
        let spec = *decoded.spec();
        let ch = spec.channels.count() as u16;
        let need = decoded.capacity() as u64;
        if sbuf
            .as_ref()
            .is_none_or(|b| (b.capacity() as u64) < need * u64::from(ch))
        {
            sbuf = Some(SampleBuffer::new(need, spec));
        }
        let Some(b) = sbuf.as_mut() else { continue };
        b.copy_interleaved_ref(decoded);
        sink.push(b.samples(), spec.rate, ch)?;
        if sink.reached(max_ms) {
            break;
        }
    }
    let taken = std::mem::replace(sink, Sink::new(sink.input, sink.output));
    Ok(taken.finish(codec, skipped)?)
}
