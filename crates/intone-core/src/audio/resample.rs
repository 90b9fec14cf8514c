//! Sample-rate conversion with rubato's synchronous FFT resampler.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use std::path::Path;

use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::{Clip, BLOCK_FRAMES};
use crate::error::{Error, Result};

/// Resamples a whole clip to `to_hz` (startup delay trimmed, length
/// `ceil(frames·to/from)`). Returns the clip unchanged when the rates match.
///
/// # Errors
/// [`Error::Config`] for a zero rate or a resampler failure.
pub fn resample(clip: &Clip, to_hz: u32) -> Result<Clip> {
    if clip.sample_rate_hz == to_hz || clip.samples.is_empty() {
        return Ok(Clip {
            sample_rate_hz: to_hz,
            ..clip.clone()
        });
    }
    let channels = usize::from(clip.channels.max(1));
    let frames = clip.frames();
    let mut r = Fft::<f32>::new(
        clip.sample_rate_hz as usize,
        to_hz as usize,
        1024,
        channels,
        FixedSync::Input,
    )
    .map_err(|e| Error::Config(format!("resampler {}→{to_hz} Hz: {e}", clip.sample_rate_hz)))?;
    let input = InterleavedSlice::new(&clip.samples, channels, frames)
        .map_err(|e| Error::Config(format!("resampler input: {e}")))?;
    let out = r
        .process_all(&input, frames, None)
        .map_err(|e| Error::Config(format!("resampling failed: {e}")))?;
    Ok(Clip {
        sample_rate_hz: to_hz,
        channels: clip.channels,
        samples: out.take_data(),
    })
}

/// Frames the streaming resampler takes per call.
const STREAM_CHUNK: usize = 1024;

/// Sample-rate conversion of a stream of any length in bounded memory, with
/// the same resampler as [`resample`]: its startup delay is dropped and the
/// output lasts `ceil(frames·to/from)` frames, so a stream resamples like the
/// whole clip would.
pub struct StreamResampler {
    r: Fft<f32>,
    channels: usize,
    pending: Vec<f32>,
    out: Vec<f32>,
    skip: usize,
    frames_in: u64,
    frames_out: u64,
    from_hz: u64,
    to_hz: u64,
}

impl StreamResampler {
    /// A resampler for interleaved `channels`-channel audio from `from_hz`
    /// to `to_hz`.
    ///
    /// # Errors
    /// [`Error::Config`] for a zero rate or channel count.
    pub fn new(from_hz: u32, to_hz: u32, channels: u16) -> Result<Self> {
        let ch = usize::from(channels);
        let r = Fft::<f32>::new(
            from_hz as usize,
            to_hz as usize,
            STREAM_CHUNK,
            ch,
            FixedSync::Input,
        )
        .map_err(|e| Error::Config(format!("resampler {from_hz}→{to_hz} Hz: {e}")))?;
        let skip = r.output_delay();
        let max = r.output_frames_max();
        Ok(Self {
            r,
            channels: ch,
            pending: Vec::new(),
            out: vec![0.0; max * ch],
            skip,
            frames_in: 0,
            frames_out: 0,
            from_hz: u64::from(from_hz),
            to_hz: u64::from(to_hz),
        })
    }

    /// Runs one chunk (the `valid` frames in `pending`, then silence) and
    /// empties `pending`,
    /// appending what it yields after the startup delay to `dst`.
    fn chunk(&mut self, valid: usize, dst: &mut Vec<f32>) -> Result<()> {
        let ch = self.channels;
        self.pending.resize(STREAM_CHUNK * ch, 0.0);
        let input = InterleavedSlice::new(&self.pending, ch, STREAM_CHUNK)
            .map_err(|e| Error::Config(format!("resampler input: {e}")))?;
        let frames_out = self.out.len() / ch;
        let mut output = InterleavedSlice::new_mut(&mut self.out, ch, frames_out)
            .map_err(|e| Error::Config(format!("resampler output: {e}")))?;
        let indexing = rubato::Indexing {
            input_offset: 0,
            output_offset: 0,
            partial_len: (valid < STREAM_CHUNK).then_some(valid),
            active_channels_mask: None,
        };
        let (_, written) = self
            .r
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .map_err(|e| Error::Config(format!("resampling failed: {e}")))?;
        let drop = self.skip.min(written);
        self.skip -= drop;
        dst.extend_from_slice(&self.out[drop * ch..written * ch]);
        self.frames_out += (written - drop) as u64;
        self.pending.clear();
        Ok(())
    }

    /// Resamples interleaved `input`, appending the frames ready so far to
    /// `dst`.
    ///
    /// # Errors
    /// [`Error::Config`] when the resampler fails.
    pub fn push(&mut self, input: &[f32], dst: &mut Vec<f32>) -> Result<()> {
        self.frames_in += (input.len() / self.channels) as u64;
        self.pending.extend_from_slice(input);
        while self.pending.len() >= STREAM_CHUNK * self.channels {
            let rest = self.pending.split_off(STREAM_CHUNK * self.channels);
            self.chunk(STREAM_CHUNK, dst)?;
            self.pending = rest;
        }
        Ok(())
    }

    /// Flushes the last frames into `dst`; the stream then has
    /// `ceil(frames_in·to/from)` frames.
    ///
    /// # Errors
    /// [`Error::Config`] when the resampler fails.
    pub fn finish(mut self, dst: &mut Vec<f32>) -> Result<()> {
        let want = (self.frames_in * self.to_hz).div_ceil(self.from_hz.max(1));
        let start = dst.len();
        let before = self.frames_out;
        while self.frames_out < want {
            let valid = self.pending.len() / self.channels;
            self.chunk(valid, dst)?;
        }
        let keep = (want - before) as usize * self.channels;
        dst.truncate(start + keep);
        Ok(())
    }
}

/// Resamples the WAV file `input` to `to_hz` into the 32-bit float WAV
/// `output`, block by block (bounded memory for any length), keeping its
/// channels; the output lasts `ceil(frames·to/from)` frames.
///
/// # Errors
/// [`Error::Audio`] naming a file that cannot be read or written;
/// [`Error::Config`] when the resampler fails.
pub fn resample_file(input: &Path, output: &Path, to_hz: u32) -> Result<()> {
    let mut reader = WavBlockReader::open(input)?;
    let channels = reader.channels.max(1);
    let mut rs = StreamResampler::new(reader.sample_rate_hz, to_hz, channels)?;
    let mut writer = WavBlockWriter::create(output, to_hz, channels)?;
    let (mut buf, mut out) = (Vec::new(), Vec::new());
    while reader.read_block(&mut buf, BLOCK_FRAMES)? > 0 {
        out.clear();
        rs.push(&buf, &mut out)?;
        writer.write(&out)?;
    }
    out.clear();
    rs.finish(&mut out)?;
    writer.write(&out)?;
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duration_and_pitch() {
        let from = 22_050u32;
        let f = 440.0f32;
        let s: Vec<f32> = (0..from)
            .map(|i| (2.0 * std::f32::consts::PI * f * i as f32 / from as f32).sin() * 0.5)
            .collect();
        let out = resample(&Clip::mono(from, s), 48_000).expect("resample");
        assert!(
            (out.frames() as i64 - 48_000).abs() <= 2,
            "{}",
            out.frames()
        );
        // Zero crossings over the middle half second ≈ 2·f·0.5.
        let mid = &out.samples[12_000..36_000];
        let zc = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        assert!((zc as i64 - 220).abs() <= 2, "{zc}");
        let peak = mid.iter().fold(0f32, |a, &b| a.max(b.abs()));
        assert!((peak - 0.5).abs() < 0.02, "{peak}");
    }

    #[test]
    fn a_stream_resamples_like_the_whole_clip() {
        let from = 44_100u32;
        let s: Vec<f32> = (0..from * 2 + 777)
            .flat_map(|i| {
                let t = i as f32 / from as f32;
                [
                    (t * 440.0 * std::f32::consts::TAU).sin() * 0.5,
                    (t * 97.0).sin() * 0.2,
                ]
            })
            .collect();
        let whole = resample(
            &Clip {
                sample_rate_hz: from,
                channels: 2,
                samples: s.clone(),
            },
            48_000,
        )
        .expect("whole");
        let mut r = StreamResampler::new(from, 48_000, 2).expect("new");
        let mut out = Vec::new();
        for piece in s.chunks(2 * 1500) {
            r.push(piece, &mut out).expect("push");
        }
        r.finish(&mut out).expect("finish");
        assert_eq!(out.len(), whole.samples.len());
        let worst = out
            .iter()
            .zip(&whole.samples)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-4, "{worst}");
    }
}
