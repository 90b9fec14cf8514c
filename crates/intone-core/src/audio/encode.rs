//! Final encoding: f32 WAV → 16/24-bit PCM WAV (hound) or FLAC (flacenc, pure
//! Rust), with TPDF dither, measuring the delivered samples as they are written.

use std::path::Path;

use flacenc::component::BitRepr;
use flacenc::error::{SourceError, Verify};
use flacenc::source::{Fill, Source};
use serde::{Deserialize, Serialize};

use crate::audio::loudness::{Loudness, Meter};
use crate::audio::wav::WavBlockReader;
use crate::audio::BLOCK_FRAMES;
use crate::error::{Error, Result};

/// Container of a delivered track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// RIFF WAVE, PCM.
    Wav,
    /// FLAC (lossless).
    Flac,
}

impl Format {
    /// File extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Flac => "flac",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "wav" => Ok(Self::Wav),
            "flac" => Ok(Self::Flac),
            other => Err(Error::Config(format!("unknown format \"{other}\" (use wav or flac)"))),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

/// What was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EncodeReport {
    /// Loudness and true peak of the quantized output.
    pub loudness: Loudness,
    /// Frames written.
    pub frames: u64,
    /// Frames per second.
    pub sample_rate_hz: u32,
    /// Channels.
    pub channels: u16,
}

/// TPDF dither and quantization of f32 samples to `bits`-bit integers.
struct Quantizer {
    scale: f32,
    max: f32,
    rng: fastrand::Rng,
}

impl Quantizer {
    fn new(bits: u16) -> Self {
        let scale = (1u32 << (bits - 1)) as f32;
        Self {
            scale,
            max: scale - 1.0,
            rng: fastrand::Rng::with_seed(0x1a70_4e00),
        }
    }
    /// Quantizes one sample with ±1 LSB triangular dither.
    #[inline]
    fn quantize(&mut self, x: f32) -> i32 {
        let d = self.rng.f32() - self.rng.f32();
        (x * self.scale + d).round().clamp(-self.scale, self.max) as i32
    }
}

/// Encodes the f32 WAV `input` to `output` as `format` with `bits` (16 or 24).
///
/// # Errors
/// [`Error::Config`] for an unsupported bit depth; [`Error::Audio`] naming the
/// file that could not be read or written.
pub fn encode_file(input: &Path, output: &Path, format: Format, bits: u16) -> Result<EncodeReport> {
    if bits != 16 && bits != 24 {
        return Err(Error::Config(format!("unsupported bit depth {bits} (use 16 or 24)")));
    }
    match format {
        Format::Wav => encode_wav(input, output, bits),
        Format::Flac => encode_flac(input, output, bits),
    }
}

fn encode_wav(input: &Path, output: &Path, bits: u16) -> Result<EncodeReport> {
    let mut r = WavBlockReader::open(input)?;
    let spec = hound::WavSpec {
        channels: r.channels,
        sample_rate: r.sample_rate_hz,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(output, spec).map_err(|e| Error::audio(output, e))?;
    let mut meter = Meter::new(r.channels, r.sample_rate_hz, output)?;
    let mut q = Quantizer::new(bits);
    let inv = 1.0 / q.scale;
    let mut buf = Vec::new();
    let mut delivered = Vec::with_capacity(BLOCK_FRAMES * 2);
    let mut frames = 0u64;
    while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        delivered.clear();
        for &x in &buf {
            let v = q.quantize(x);
            w.write_sample(v).map_err(|e| Error::audio(output, e))?;
            delivered.push(v as f32 * inv);
        }
        meter.add(&delivered)?;
        frames += (buf.len() / usize::from(r.channels)) as u64;
    }
    w.finalize().map_err(|e| Error::audio(output, e))?;
    Ok(EncodeReport {
        loudness: meter.result()?,
        frames,
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
    })
}

/// A flacenc [`Source`] that reads, dithers and meters an f32 WAV stream.
struct DitheredWavSource {
    reader: WavBlockReader,
    bits: u16,
    q: Quantizer,
    meter: Meter,
    buf: Vec<f32>,
    ints: Vec<i32>,
    delivered: Vec<f32>,
    frames: u64,
    error: Option<Error>,
}

impl Source for DitheredWavSource {
    fn channels(&self) -> usize {
        usize::from(self.reader.channels)
    }
    fn bits_per_sample(&self) -> usize {
        usize::from(self.bits)
    }
    fn sample_rate(&self) -> usize {
        self.reader.sample_rate_hz as usize
    }
    fn read_samples<F: Fill>(&mut self, block_size: usize, dest: &mut F) -> std::result::Result<usize, SourceError> {
        let n = match self.reader.read_block(&mut self.buf, block_size) {
            Ok(n) => n,
            Err(e) => {
                self.error = Some(e);
                return Err(SourceError::from_io_error(std::io::Error::other("read failed")));
            }
        };
        self.ints.clear();
        self.delivered.clear();
        let inv = 1.0 / self.q.scale;
        for &x in &self.buf {
            let v = self.q.quantize(x);
            self.ints.push(v);
            self.delivered.push(v as f32 * inv);
        }
        if let Err(e) = self.meter.add(&self.delivered) {
            self.error = Some(e);
        }
        self.frames += n as u64;
        dest.fill_interleaved(&self.ints)?;
        Ok(n)
    }
    fn len_hint(&self) -> Option<usize> {
        Some(self.reader.frames as usize)
    }
}

fn encode_flac(input: &Path, output: &Path, bits: u16) -> Result<EncodeReport> {
    let reader = WavBlockReader::open(input)?;
    let (sample_rate_hz, channels) = (reader.sample_rate_hz, reader.channels);
    let meter = Meter::new(channels, sample_rate_hz, output)?;
    let mut src = DitheredWavSource {
        reader,
        bits,
        q: Quantizer::new(bits),
        meter,
        buf: Vec::new(),
        ints: Vec::new(),
        delivered: Vec::new(),
        frames: 0,
        error: None,
    };
    let mut config = flacenc::config::Encoder::default();
    config.multithread = false;
    let config = config
        .into_verified()
        .map_err(|e| Error::audio(output, format!("FLAC encoder config: {e:?}")))?;
    let block = config.block_size;
    let stream = flacenc::encode_with_fixed_block_size(&config, &mut src, block);
    if let Some(e) = src.error.take() {
        return Err(e);
    }
    let stream = stream.map_err(|e| Error::audio(output, format!("FLAC encoding failed: {e}")))?;
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream
        .write(&mut sink)
        .map_err(|e| Error::audio(output, format!("FLAC encoding failed: {e:?}")))?;
    std::fs::write(output, sink.as_slice()).map_err(|e| Error::io(output, e))?;
    Ok(EncodeReport {
        loudness: src.meter.result()?,
        frames: src.frames,
        sample_rate_hz,
        channels,
    })
}
