//! Final encoding of a mastered f32 WAV into the delivered file: 16/24-bit
//! PCM WAV (hound), FLAC (flacenc), MP3 (LAME) or Opus in Ogg (libopus), with
//! tags and chapters ([`Tags`]), measuring what is delivered as it is written.

mod delivery;
mod flac;
mod mp3;
mod ogg_opus;
mod options;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use self::delivery::{check_output, Delivery, DEFAULT_SAMPLE_RATE_HZ, TARGET_LUFS_RANGE};
pub use self::options::{EncodeOptions, Format, Mp3Mode};
use crate::audio::loudness::Loudness;
use crate::audio::meter_thread::MeterThread;
use crate::audio::tags::{self, Tags};
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::BLOCK_FRAMES;
use crate::error::{Error, Result};

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
pub(super) struct Quantizer {
    scale: f32,
    max: f32,
    rng: fastrand::Rng,
}

impl Quantizer {
    pub(super) fn new(bits: u16) -> Self {
        let scale = (1u32 << (bits - 1)) as f32;
        Self {
            scale,
            max: scale - 1.0,
            rng: fastrand::Rng::with_seed(0x1a70_4e00),
        }
    }
    /// Quantizes a block: `ints` gets the integer samples, `delivered` the
    /// same values as floats (what a decoder will read back, for metering).
    pub(super) fn block(&mut self, input: &[f32], ints: &mut Vec<i32>, delivered: &mut Vec<f32>) {
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

/// Encodes the f32 WAV `input` to `output` as `format` with `bits` (16 or
/// 24; PCM formats only) and the default lossy settings, without tags.
///
/// # Errors
/// As [`encode_tagged`].
pub fn encode_file(input: &Path, output: &Path, format: Format, bits: u16) -> Result<EncodeReport> {
    encode_tagged(
        input,
        output,
        format,
        bits,
        &EncodeOptions::default(),
        &Tags::default(),
    )
}

/// Encodes the f32 WAV `input` to `output` as `format`: WAV and FLAC at
/// `bits` (16 or 24) with TPDF dither; MP3 and Opus as `options` say. Writes
/// `tags` as the format carries them (ID3v2.4 for MP3, Vorbis comments for
/// FLAC and Opus; WAV carries only a loop, in its `smpl` chunk). The report's loudness is measured on the
/// delivered samples (PCM) or on the samples given to the lossy encoder.
///
/// # Errors
/// [`Error::Config`] for an unsupported bit depth, channel count or lossy
/// setting; [`Error::Audio`] naming the file that could not be read,
/// encoded or written.
pub fn encode_tagged(
    input: &Path,
    output: &Path,
    format: Format,
    bits: u16,
    options: &EncodeOptions,
    tags: &Tags,
) -> Result<EncodeReport> {
    if format.is_pcm() && bits != 16 && bits != 24 {
        return Err(Error::Config(format!(
            "unsupported bit depth {bits} (use 16 or 24)"
        )));
    }
    match format {
        Format::Wav => encode_wav(input, output, bits, tags.loop_frames),
        Format::Flac => {
            let report = flac::encode_flac(input, output, bits)?;
            tags::write_flac(output, tags)?;
            Ok(report)
        }
        Format::Mp3 => {
            let report = mp3::encode_mp3(input, output, options.mp3)?;
            tags::write_id3(output, tags)?;
            Ok(report)
        }
        Format::Opus => ogg_opus::encode_opus(input, output, options.opus_kbps, tags),
    }
}

/// `loop_frames`: the file loops whole (a `smpl` chunk says so).
fn encode_wav(
    input: &Path,
    output: &Path,
    bits: u16,
    loop_frames: Option<u64>,
) -> Result<EncodeReport> {
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
    match loop_frames {
        Some(n) => w.finish_with(&tags::smpl_chunk(n, r.sample_rate_hz))?,
        None => w.finish()?,
    }
    Ok(EncodeReport {
        loudness: meter.finish()?,
        frames,
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
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
