//! Final encoding: f32 WAV → 16/24-bit PCM WAV (hound) or FLAC (flacenc, pure
//! Rust), with TPDF dither, measuring the delivered samples as they are written.

use std::path::Path;

use flacenc::component::BitRepr;
use flacenc::error::Verify;
use flacenc::source::Fill;
use serde::{Deserialize, Serialize};

use crate::audio::loudness::Loudness;
use crate::audio::meter_thread::MeterThread;
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::BLOCK_FRAMES;
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
            other => Err(Error::Config(format!(
                "unknown format \"{other}\" (use wav or flac)"
            ))),
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

/// FLAC blocks each encoder thread takes per batch.
const FLAC_BLOCKS_PER_THREAD: usize = 4;

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
    /// Quantizes a block: `ints` gets the integer samples, `delivered` the
    /// same values as floats (what a decoder will read back, for metering).
    fn block(&mut self, input: &[f32], ints: &mut Vec<i32>, delivered: &mut Vec<f32>) {
        let inv = 1.0 / self.scale;
        ints.clear();
        delivered.clear();
        for &x in input {
            let v = self.quantize(x);
            ints.push(v);
            delivered.push(v as f32 * inv);
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
        return Err(Error::Config(format!(
            "unsupported bit depth {bits} (use 16 or 24)"
        )));
    }
    match format {
        Format::Wav => encode_wav(input, output, bits),
        Format::Flac => encode_flac(input, output, bits),
    }
}

fn encode_wav(input: &Path, output: &Path, bits: u16) -> Result<EncodeReport> {
    let mut r = WavBlockReader::open(input)?;
    let mut w = WavBlockWriter::create_pcm(output, r.sample_rate_hz, r.channels, bits)?;
    let mut meter = MeterThread::start(r.channels, r.sample_rate_hz, output)?;
    let mut q = Quantizer::new(bits);
    let mut buf = Vec::new();
    let (mut ints, mut delivered) = (Vec::new(), Vec::new());
    let mut frames = 0u64;
    while r.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        q.block(&buf, &mut ints, &mut delivered);
        meter.add(&delivered)?;
        w.write_ints(&ints)?;
        frames += (buf.len() / usize::from(r.channels)) as u64;
    }
    w.finish()?;
    Ok(EncodeReport {
        loudness: meter.finish()?,
        frames,
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
    })
}

/// Streams FLAC frames to `output` as they are encoded, in batches of
/// [`FLAC_BLOCKS_PER_THREAD`] blocks per core encoded in parallel (bounded
/// memory), then
/// rewrites the STREAMINFO header with the final sample count, frame sizes
/// and MD5 (FLAC format spec, METADATA_BLOCK_STREAMINFO).
fn encode_flac(input: &Path, output: &Path, bits: u16) -> Result<EncodeReport> {
    use std::io::{Seek, SeekFrom, Write};

    use flacenc::component::Stream;
    use flacenc::source::{Context, FrameBuf};

    let flac_err =
        |what: &str, e: &dyn std::fmt::Debug| Error::audio(output, format!("FLAC {what}: {e:?}"));
    let mut r = WavBlockReader::open(input)?;
    let (sample_rate_hz, channels) = (r.sample_rate_hz, r.channels);
    let ch = usize::from(channels);
    let mut config = flacenc::config::Encoder::default();
    config.multithread = false;
    let config = config
        .into_verified()
        .map_err(|e| flac_err("encoder config", &e))?;
    let block = config.block_size;
    let mut header = Stream::new(sample_rate_hz as usize, ch, usize::from(bits))
        .map_err(|e| flac_err("header", &e))?;
    header
        .stream_info_mut()
        .set_block_sizes(block, block)
        .map_err(|e| flac_err("header", &e))?;
    let header_bytes = |h: &Stream| -> Result<Vec<u8>> {
        let mut sink = flacenc::bitsink::ByteSink::new();
        h.write(&mut sink).map_err(|e| flac_err("header", &e))?;
        Ok(sink.into_inner())
    };
    let first = header_bytes(&header)?;
    let file = std::fs::File::create(output).map_err(|e| Error::io(output, e))?;
    let mut w = std::io::BufWriter::new(file);
    w.write_all(&first).map_err(|e| Error::io(output, e))?;

    // FLAC frames are independent: while one batch of blocks is encoded on
    // every core, the next is read, quantized, metered and hashed in order
    // here; encoded frames are written in order.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let batch = threads * FLAC_BLOCKS_PER_THREAD;
    let make = || {
        (0..batch)
            .map(|_| FrameBuf::with_size(ch, block))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| flac_err("frame buffer", &e))
    };
    let mut sets = [make()?, make()?];
    let mut ctx = Context::new(usize::from(bits), ch);
    let mut meter = MeterThread::start(channels, sample_rate_hz, output)?;
    let mut q = Quantizer::new(bits);
    let (mut buf, mut ints, mut delivered) = (Vec::new(), Vec::new(), Vec::new());
    let mut frames = 0u64;
    // Fills `bufs` with the next blocks; returns their frame numbers.
    let mut fill_batch = |bufs: &mut [FrameBuf]| -> Result<Vec<usize>> {
        let mut numbers = Vec::with_capacity(bufs.len());
        for fb in bufs {
            let n = r.read_block(&mut buf, block)?;
            if n == 0 {
                break;
            }
            q.block(&buf, &mut ints, &mut delivered);
            meter.add(&delivered)?;
            (&mut *fb, &mut ctx)
                .fill_interleaved(&ints)
                .map_err(|e| flac_err("input", &e))?;
            numbers.push(ctx.current_frame_number().unwrap_or(0));
            frames += n as u64;
        }
        Ok(numbers)
    };
    let mut sink = flacenc::bitsink::ByteSink::new();
    let mut numbers = fill_batch(&mut sets[0])?;
    let mut cur = 0;
    while !numbers.is_empty() {
        let (first, second) = sets.split_at_mut(1);
        let (encoding, filling) = if cur == 0 {
            (&first[0], &mut second[0])
        } else {
            (&second[0], &mut first[0])
        };
        let info = header.stream_info().clone();
        let per = numbers.len().div_ceil(threads);
        let (encoded, next) = std::thread::scope(|scope| {
            let workers: Vec<_> = encoding[..numbers.len()]
                .chunks(per)
                .zip(numbers.chunks(per))
                .map(|(fbs, nums)| {
                    let (config, info) = (&config, &info);
                    scope.spawn(move || {
                        fbs.iter()
                            .zip(nums)
                            .map(|(fb, &n)| {
                                flacenc::encode_fixed_size_frame(config, fb, n, info)
                                    .map_err(|e| format!("{e:?}"))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let next = fill_batch(filling);
            let encoded: Vec<_> = workers
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect();
            (encoded, next)
        });
        if encoded.len() != numbers.len() {
            return Err(flac_err("encoding", &"an encoder thread failed"));
        }
        for frame in encoded {
            let frame = frame.map_err(|e| flac_err("encoding", &e))?;
            header.stream_info_mut().update_frame_info(&frame);
            sink.clear();
            frame
                .write(&mut sink)
                .map_err(|e| flac_err("encoding", &e))?;
            w.write_all(sink.as_slice())
                .map_err(|e| Error::io(output, e))?;
        }
        numbers = next?;
        cur = 1 - cur;
    }
    // A fixed-blocksize stream states min = max = block size (as the reference
    // encoder does) even though its last block is shorter; decoders such as
    // symphonia take min != max to mean a variable-blocksize stream.
    header
        .stream_info_mut()
        .set_block_sizes(block, block)
        .map_err(|e| flac_err("header", &e))?;
    header.stream_info_mut().set_md5_digest(&ctx.md5_digest());
    header
        .stream_info_mut()
        .set_total_samples(ctx.total_samples());
    let last = header_bytes(&header)?;
    if last.len() != first.len() {
        return Err(Error::audio(output, "FLAC header changed size"));
    }
    let mut file = w
        .into_inner()
        .map_err(|e| Error::io(output, e.into_error()))?;
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(&last))
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(output, e))?;
    Ok(EncodeReport {
        loudness: meter.finish()?,
        frames,
        sample_rate_hz,
        channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{decode::decode_file, wav::write_clip, Clip};

    #[test]
    fn flac_and_wav_round_trip_through_an_independent_decoder() {
        let dir = tempfile::tempdir().expect("tmp");
        let sr = 44_100;
        // 2.5 s of stereo: several FLAC blocks and a partial last one.
        let samples: Vec<f32> = (0..sr * 5 / 2)
            .flat_map(|i| {
                let t = i as f32 / sr as f32;
                [
                    0.4 * (t * 440.0 * std::f32::consts::TAU).sin(),
                    0.3 * (t * 660.0 * std::f32::consts::TAU).sin(),
                ]
            })
            .collect();
        let src = dir.path().join("master.wav");
        write_clip(
            &src,
            &Clip {
                sample_rate_hz: sr as u32,
                channels: 2,
                samples: samples.clone(),
            },
        )
        .expect("write");
        for (format, bits) in [
            (Format::Flac, 16),
            (Format::Flac, 24),
            (Format::Wav, 16),
            (Format::Wav, 24),
        ] {
            let out = dir.path().join(format!("out{bits}.{}", format.extension()));
            let rep = encode_file(&src, &out, format, bits).expect("encode");
            assert_eq!(rep.frames, (sr * 5 / 2) as u64);
            let back = decode_file(&out).expect("decode");
            assert_eq!((back.sample_rate_hz, back.channels), (sr as u32, 2));
            assert_eq!(back.samples.len(), samples.len(), "{format} {bits}");
            let lsb = 1.0 / (1u32 << (bits - 1)) as f32;
            let worst = samples
                .iter()
                .zip(&back.samples)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(worst <= 2.0 * lsb, "{format} {bits}: error {worst}");
        }
        let e = encode_file(&src, &dir.path().join("x.wav"), Format::Wav, 12).expect_err("bits");
        assert!(e.to_string().contains("bit depth 12"));
    }
}
