//! Streaming WAV files for intermediate step outputs: 32-bit float written,
//! float or integer PCM read, moved in bulk (whole blocks of bytes converted
//! at once) rather than sample by sample. The header layout is Microsoft's
//! RIFF WAVE (`fmt ` chunk with format tag 3 = IEEE float, 1 = PCM); files
//! this bulk path does not cover (8-bit PCM, odd chunks) are read by hound.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::audio::wav_raw::{raw_layout, RawLayout};
use crate::audio::Clip;
use crate::error::{Error, Result};

/// Bytes moved per read or write call of the bulk paths.
const IO_BUFFER_BYTES: usize = 1 << 20;

enum Source {
    /// The `data` chunk read in bulk.
    Raw {
        file: BufReader<File>,
        layout: RawLayout,
        /// Bytes of the `data` chunk not yet read.
        left: u64,
        bytes: Vec<u8>,
    },
    /// Anything else, sample by sample.
    Hound {
        reader: Box<hound::WavReader<BufReader<File>>>,
        int_scale: Option<f32>,
    },
}

/// Reads an f32 (or integer) WAV file block by block.
pub struct WavBlockReader {
    source: Source,
    path: std::path::PathBuf,
    /// Frames per second.
    pub sample_rate_hz: u32,
    /// Interleaved channels.
    pub channels: u16,
    /// Total frames in the file.
    pub frames: u64,
}

impl WavBlockReader {
    /// Opens `path`.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it is missing or not a WAV file.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(layout) = raw_layout(path) {
            let mut file = File::open(path).map_err(|e| Error::audio(path, e))?;
            file.seek(SeekFrom::Start(layout.data_start))
                .map_err(|e| Error::audio(path, e))?;
            let frame_bytes = u64::from(layout.bytes) * u64::from(layout.channels);
            let frames = layout.data_len / frame_bytes;
            return Ok(Self {
                sample_rate_hz: layout.rate,
                channels: layout.channels,
                frames,
                source: Source::Raw {
                    file: BufReader::with_capacity(IO_BUFFER_BYTES, file),
                    left: frames * frame_bytes,
                    layout,
                    bytes: Vec::new(),
                },
                path: path.to_path_buf(),
            });
        }
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
            source: Source::Hound {
                reader: Box::new(reader),
                int_scale,
            },
            path: path.to_path_buf(),
        })
    }

    /// Moves to frame `frame` (clamped to the end of the file).
    ///
    /// # Errors
    /// [`Error::Audio`] when the file cannot be positioned.
    pub fn seek(&mut self, frame: u64) -> Result<()> {
        let frame = frame.min(self.frames);
        let err = |e: &dyn std::fmt::Display| {
            Error::audio(&self.path, format!("seek to frame {frame}: {e}"))
        };
        match &mut self.source {
            Source::Raw {
                file, layout, left, ..
            } => {
                let frame_bytes = u64::from(layout.bytes) * u64::from(layout.channels);
                file.seek(SeekFrom::Start(layout.data_start + frame * frame_bytes))
                    .map_err(|e| err(&e))?;
                *left = (self.frames - frame) * frame_bytes;
                Ok(())
            }
            Source::Hound { reader, .. } => reader
                .seek(u32::try_from(frame).unwrap_or(u32::MAX))
                .map_err(|e| err(&e)),
        }
    }

    /// Replaces `buf` with up to `frames` interleaved frames; returns frames read (0 at the end).
    ///
    /// # Errors
    /// [`Error::Audio`] when the file is truncated or corrupt.
    pub fn read_block(&mut self, buf: &mut Vec<f32>, frames: usize) -> Result<usize> {
        buf.clear();
        let channels = usize::from(self.channels.max(1));
        match &mut self.source {
            Source::Raw {
                file,
                layout,
                left,
                bytes,
            } => {
                let width = usize::from(layout.bytes);
                let want = ((frames * channels * width) as u64).min(*left) as usize;
                bytes.resize(want, 0);
                file.read_exact(bytes)
                    .map_err(|e| Error::audio(&self.path, format!("truncated audio data: {e}")))?;
                *left -= want as u64;
                convert(bytes, layout, buf);
            }
            Source::Hound { reader, int_scale } => {
                let want = frames * channels;
                match *int_scale {
                    None => {
                        for s in reader.samples::<f32>().take(want) {
                            buf.push(s.map_err(|e| Error::audio(&self.path, e))?);
                        }
                    }
                    Some(scale) => {
                        for s in reader.samples::<i32>().take(want) {
                            buf.push(s.map_err(|e| Error::audio(&self.path, e))? as f32 * scale);
                        }
                    }
                }
            }
        }
        Ok(buf.len() / channels)
    }
}

/// Little-endian sample bytes → f32 in −1..1.
fn convert(bytes: &[u8], layout: &RawLayout, out: &mut Vec<f32>) {
    out.reserve(bytes.len() / usize::from(layout.bytes));
    match (layout.float, layout.bytes) {
        (true, _) => out.extend(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        ),
        (false, 2) => out.extend(
            bytes
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0),
        ),
        (false, 3) => out.extend(
            bytes
                .chunks_exact(3)
                .map(|b| (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0),
        ),
        _ => out.extend(
            bytes
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0),
        ),
    }
}

/// Writes WAV block by block: 32-bit float (format tag 3, IEEE float) for
/// intermediate files, or 16/24-bit integer PCM (format tag 1) for delivery.
/// The sizes in the RIFF and `data` headers are written by
/// [`WavBlockWriter::finish`].
pub struct WavBlockWriter {
    file: BufWriter<File>,
    path: std::path::PathBuf,
    data_bytes: u64,
    bytes: Vec<u8>,
    /// Bytes per integer sample (2 or 3); 0 for float files.
    int_bytes: usize,
}

/// Size of the header [`WavBlockWriter`] writes: RIFF, `fmt ` (16 bytes), `data`.
pub(crate) const HEADER_BYTES: u64 = 44;

impl WavBlockWriter {
    /// Creates `path` as a 32-bit float WAV file.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file.
    pub fn create(path: &Path, sample_rate_hz: u32, channels: u16) -> Result<Self> {
        Self::with_format(path, sample_rate_hz, channels, 3, 32)
    }

    /// Creates `path` as a `bits`-bit (16 or 24) integer PCM WAV file, written
    /// with [`WavBlockWriter::write_ints`].
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file; [`Error::Config`] for other depths.
    pub fn create_pcm(path: &Path, sample_rate_hz: u32, channels: u16, bits: u16) -> Result<Self> {
        if bits != 16 && bits != 24 {
            return Err(Error::Config(format!(
                "unsupported bit depth {bits} (use 16 or 24)"
            )));
        }
        Self::with_format(path, sample_rate_hz, channels, 1, bits)
    }

    fn with_format(path: &Path, rate: u32, channels: u16, tag: u16, bits: u16) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::audio(path, e))?;
        let mut w = Self {
            file: BufWriter::with_capacity(IO_BUFFER_BYTES, file),
            path: path.to_path_buf(),
            data_bytes: 0,
            bytes: Vec::new(),
            int_bytes: if tag == 1 { usize::from(bits / 8) } else { 0 },
        };
        let block_align = u32::from(channels) * u32::from(bits / 8);
        let mut h = Vec::with_capacity(HEADER_BYTES as usize);
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(b"WAVEfmt ");
        h.extend_from_slice(&16u32.to_le_bytes());
        h.extend_from_slice(&tag.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&rate.to_le_bytes());
        h.extend_from_slice(&(rate * block_align).to_le_bytes());
        h.extend_from_slice(&(block_align as u16).to_le_bytes());
        h.extend_from_slice(&bits.to_le_bytes());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&0u32.to_le_bytes());
        w.file.write_all(&h).map_err(|e| Error::audio(path, e))?;
        Ok(w)
    }

    /// Appends interleaved samples to a float file.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file (e.g. disk full, or more than the
    /// 4 GiB a RIFF file can hold, or an integer PCM file).
    pub fn write(&mut self, samples: &[f32]) -> Result<()> {
        if self.int_bytes != 0 {
            return Err(Error::audio(
                &self.path,
                "float samples written to a PCM file",
            ));
        }
        self.bytes.clear();
        self.bytes
            .extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        self.flush_bytes()
    }

    /// Appends interleaved integer samples (already in range) to a PCM file.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file (disk full, 4 GiB, or a float file).
    pub fn write_ints(&mut self, samples: &[i32]) -> Result<()> {
        self.bytes.clear();
        match self.int_bytes {
            2 => self
                .bytes
                .extend(samples.iter().flat_map(|&s| (s as i16).to_le_bytes())),
            3 => self.bytes.extend(samples.iter().flat_map(|&s| {
                let b = s.to_le_bytes();
                [b[0], b[1], b[2]]
            })),
            _ => {
                return Err(Error::audio(
                    &self.path,
                    "integer samples written to a float file",
                ))
            }
        }
        self.flush_bytes()
    }

    fn flush_bytes(&mut self) -> Result<()> {
        self.data_bytes += self.bytes.len() as u64;
        if self.data_bytes + HEADER_BYTES > u64::from(u32::MAX) {
            return Err(Error::audio(
                &self.path,
                "audio too long for a WAV file (4 GiB)",
            ));
        }
        self.file
            .write_all(&self.bytes)
            .map_err(|e| Error::audio(&self.path, e))
    }

    /// Writes the header's sizes and flushes.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file.
    pub fn finish(self) -> Result<()> {
        self.finish_with(&[])
    }

    /// Appends `chunks` (whole RIFF chunks, headers included, e.g.
    /// [`crate::audio::tags::smpl_chunk`]) after the `data` chunk (padded
    /// to an even length, as RIFF requires), writes the header's sizes and
    /// flushes.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file.
    pub fn finish_with(mut self, chunks: &[u8]) -> Result<()> {
        let mut extra = 0u32;
        if !chunks.is_empty() {
            let pad: &[u8] = if self.data_bytes % 2 == 1 { &[0] } else { &[] };
            self.file
                .write_all(pad)
                .and_then(|()| self.file.write_all(chunks))
                .map_err(|e| Error::audio(&self.path, e))?;
            extra = (pad.len() + chunks.len()) as u32;
        }
        let path = self.path;
        let data = self.data_bytes as u32;
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| Error::audio(&path, e.error()))?;
        let patch = |f: &mut File| -> std::io::Result<()> {
            f.seek(SeekFrom::Start(4))?;
            f.write_all(&(data + extra + HEADER_BYTES as u32 - 8).to_le_bytes())?;
            f.seek(SeekFrom::Start(HEADER_BYTES - 4))?;
            f.write_all(&data.to_le_bytes())?;
            f.flush()
        };
        patch(&mut file).map_err(|e| Error::audio(&path, e))
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
