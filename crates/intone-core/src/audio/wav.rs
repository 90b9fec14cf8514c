//! Streaming f32 WAV files for intermediate step outputs (hound).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::audio::Clip;
use crate::error::{Error, Result};

/// Reads an f32 (or integer) WAV file block by block.
pub struct WavBlockReader {
    reader: hound::WavReader<BufReader<File>>,
    path: std::path::PathBuf,
    /// Frames per second.
    pub sample_rate_hz: u32,
    /// Interleaved channels.
    pub channels: u16,
    /// Total frames in the file.
    pub frames: u64,
    int_scale: Option<f32>,
}

impl WavBlockReader {
    /// Opens `path`.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it is missing or not a WAV file.
    pub fn open(path: &Path) -> Result<Self> {
        let reader = hound::WavReader::open(path).map_err(|e| Error::audio(path, e))?;
        let spec = reader.spec();
        let int_scale = match spec.sample_format {
            hound::SampleFormat::Float => None,
            hound::SampleFormat::Int => Some(1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32),
        };
        Ok(Self {
            frames: u64::from(reader.duration()),
            sample_rate_hz: spec.sample_rate,
            channels: spec.channels,
            reader,
            path: path.to_path_buf(),
            int_scale,
        })
    }

    /// Moves to frame `frame` (clamped to the end of the file).
    ///
    /// # Errors
    /// [`Error::Audio`] when the file cannot be positioned.
    pub fn seek(&mut self, frame: u64) -> Result<()> {
        let f = u32::try_from(frame.min(self.frames)).unwrap_or(u32::MAX);
        self.reader
            .seek(f)
            .map_err(|e| Error::audio(&self.path, format!("seek to frame {frame}: {e}")))
    }

    /// Replaces `buf` with up to `frames` interleaved frames; returns frames read (0 at the end).
    ///
    /// # Errors
    /// [`Error::Audio`] when the file is truncated or corrupt.
    pub fn read_block(&mut self, buf: &mut Vec<f32>, frames: usize) -> Result<usize> {
        buf.clear();
        let want = frames * usize::from(self.channels);
        match self.int_scale {
            None => {
                for s in self.reader.samples::<f32>().take(want) {
                    buf.push(s.map_err(|e| Error::audio(&self.path, e))?);
                }
            }
            Some(scale) => {
                for s in self.reader.samples::<i32>().take(want) {
                    buf.push(s.map_err(|e| Error::audio(&self.path, e))? as f32 * scale);
                }
            }
        }
        Ok(buf.len() / usize::from(self.channels.max(1)))
    }
}

/// Writes f32 WAV block by block.
pub struct WavBlockWriter {
    writer: hound::WavWriter<std::io::BufWriter<File>>,
    path: std::path::PathBuf,
}

impl WavBlockWriter {
    /// Creates `path` as a 32-bit float WAV file.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file.
    pub fn create(path: &Path, sample_rate_hz: u32, channels: u16) -> Result<Self> {
        let spec = hound::WavSpec {
            channels,
            sample_rate: sample_rate_hz,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| Error::audio(path, e))?;
        Ok(Self {
            writer,
            path: path.to_path_buf(),
        })
    }

    /// Appends interleaved samples.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file (e.g. disk full).
    pub fn write(&mut self, samples: &[f32]) -> Result<()> {
        for &s in samples {
            self.writer
                .write_sample(s)
                .map_err(|e| Error::audio(&self.path, e))?;
        }
        Ok(())
    }

    /// Finishes the header and flushes.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file.
    pub fn finish(self) -> Result<()> {
        self.writer
            .finalize()
            .map_err(|e| Error::audio(&self.path, e))
    }
}

/// Writes a whole clip as f32 WAV.
///
/// # Errors
/// [`Error::Audio`] naming the file.
pub fn write_clip(path: &Path, clip: &Clip) -> Result<()> {
    let mut w = WavBlockWriter::create(path, clip.sample_rate_hz, clip.channels)?;
    w.write(&clip.samples)?;
    w.finish()
}

/// Reads a whole WAV file into memory (for short clips only).
///
/// # Errors
/// [`Error::Audio`] naming the file.
pub fn read_clip(path: &Path) -> Result<Clip> {
    let mut r = WavBlockReader::open(path)?;
    let mut samples = Vec::with_capacity((r.frames as usize) * usize::from(r.channels));
    let mut buf = Vec::new();
    while r.read_block(&mut buf, 1 << 16)? > 0 {
        samples.extend_from_slice(&buf);
    }
    Ok(Clip {
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
        samples,
    })
}
