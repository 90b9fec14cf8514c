//! FLAC through flacenc (pure Rust), every core encoding frames.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, Frame, Stream};
use flacenc::error::{Verified, Verify};
use flacenc::source::{Context, Fill, FrameBuf};

use super::{EncodeReport, Quantizer};
use crate::audio::meter_thread::MeterThread;
use crate::audio::wav::WavBlockReader;
use crate::error::{Error, Result};

/// FLAC blocks each encoder thread takes per batch.
const FLAC_BLOCKS_PER_THREAD: usize = 4;

/// A frame as an encoder thread returns it (the error as text).
type Encoded = std::result::Result<Frame, String>;

/// An [`Error::Audio`] naming `output`: flacenc failed at `what`.
fn flac_err(output: &Path, what: &str, e: &dyn std::fmt::Debug) -> Error {
    Error::audio(output, format!("FLAC {what}: {e:?}"))
}

/// Streams FLAC frames to `output` as they are encoded, in batches of
/// [`FLAC_BLOCKS_PER_THREAD`] blocks per core encoded in parallel (bounded
/// memory), then
/// rewrites the STREAMINFO header with the final sample count, frame sizes
/// and MD5 (FLAC format spec, METADATA_BLOCK_STREAMINFO).
pub(super) fn encode_flac(input: &Path, output: &Path, bits: u16) -> Result<EncodeReport> {
    let r = WavBlockReader::open(input)?;
    let (sample_rate_hz, channels) = (r.sample_rate_hz, r.channels);
    let mut out = FlacOut::create(output, sample_rate_hz, channels, bits)?;

    // FLAC frames are independent: while one batch of blocks is encoded on
    // every core, the next is read, quantized, metered and hashed in order
    // here; encoded frames are written in order.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let batch = threads * FLAC_BLOCKS_PER_THREAD;
    let mut sets = [out.frame_bufs(batch)?, out.frame_bufs(batch)?];
    let mut feed = Feed {
        r,
        ctx: Context::new(usize::from(bits), usize::from(channels)),
        meter: MeterThread::start(channels, sample_rate_hz, output)?,
        q: Quantizer::new(bits),
        block: out.block,
        output,
        buf: Vec::new(),
        ints: Vec::new(),
        delivered: Vec::new(),
        frames: 0,
    };
    let mut numbers = feed.fill(&mut sets[0])?;
    let mut cur = 0;
    while !numbers.is_empty() {
        let (first, second) = sets.split_at_mut(1);
        let (encoding, filling) = if cur == 0 {
            (&first[0], &mut second[0])
        } else {
            (&second[0], &mut first[0])
        };
        let (encoded, next) =
            out.encode_parallel(&encoding[..numbers.len()], &numbers, threads, || {
                feed.fill(filling)
            });
        out.write_frames(encoded, numbers.len())?;
        numbers = next?;
        cur = 1 - cur;
    }
    out.finish(&feed.ctx)?;
    Ok(EncodeReport {
        loudness: feed.meter.finish()?,
        frames: feed.frames,
        sample_rate_hz,
        channels,
    })
}

/// The FLAC file being written: the encoder settings, the stream header
/// (STREAMINFO, updated as frames are written) and the buffered file.
struct FlacOut<'a> {
    /// The file, for errors.
    output: &'a Path,
    /// flacenc's settings (single-threaded: the threads are ours).
    config: Verified<flacenc::config::Encoder>,
    /// Channels.
    channels: usize,
    /// Samples per channel in each block (fixed block size).
    block: usize,
    /// The stream header, rewritten at the end.
    header: Stream,
    /// Length of the header as first written, bytes.
    header_len: usize,
    /// The file after the header.
    w: BufWriter<File>,
    /// One encoded frame's bytes, reused.
    sink: ByteSink,
}

impl<'a> FlacOut<'a> {
    /// Creates `output` and writes a provisional header for `channels` ×
    /// `bits`-bit samples at `sample_rate_hz`.
    ///
    /// # Errors
    /// [`Error::Audio`] when flacenc refuses the settings; [`Error::Io`]
    /// when the file cannot be created or written.
    fn create(output: &'a Path, sample_rate_hz: u32, channels: u16, bits: u16) -> Result<Self> {
        let mut config = flacenc::config::Encoder::default();
        config.multithread = false;
        let config = config
            .into_verified()
            .map_err(|e| flac_err(output, "encoder config", &e))?;
        let block = config.block_size;
        let mut header = Stream::new(
            sample_rate_hz as usize,
            usize::from(channels),
            usize::from(bits),
        )
        .map_err(|e| flac_err(output, "header", &e))?;
        header
            .stream_info_mut()
            .set_block_sizes(block, block)
            .map_err(|e| flac_err(output, "header", &e))?;
        let first = header_bytes(output, &header)?;
        let file = File::create(output).map_err(|e| Error::io(output, e))?;
        let mut w = BufWriter::new(file);
        w.write_all(&first).map_err(|e| Error::io(output, e))?;
        Ok(Self {
            output,
            config,
            channels: usize::from(channels),
            block,
            header,
            header_len: first.len(),
            w,
            sink: ByteSink::new(),
        })
    }

    /// `n` empty block buffers of this stream's shape.
    fn frame_bufs(&self, n: usize) -> Result<Vec<FrameBuf>> {
        (0..n)
            .map(|_| FrameBuf::with_size(self.channels, self.block))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| flac_err(self.output, "frame buffer", &e))
    }

    /// Encodes `bufs` (frame numbers `numbers`) split over `threads` scoped
    /// threads while `meanwhile` runs on this one; returns the frames in
    /// order (fewer when a thread died) and what `meanwhile` returned.
    fn encode_parallel<T>(
        &self,
        bufs: &[FrameBuf],
        numbers: &[usize],
        threads: usize,
        meanwhile: impl FnOnce() -> T,
    ) -> (Vec<Encoded>, T) {
        let info = self.header.stream_info().clone();
        let per = numbers.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = bufs
                .chunks(per)
                .zip(numbers.chunks(per))
                .map(|(fbs, nums)| {
                    let (config, info) = (&self.config, &info);
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
            let next = meanwhile();
            let encoded: Vec<_> = workers
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect();
            (encoded, next)
        })
    }

    /// Writes `encoded` (which must hold `expected` frames) in order,
    /// updating the header's frame sizes.
    ///
    /// # Errors
    /// [`Error::Audio`] when a frame is missing or failed; [`Error::Io`]
    /// when the file cannot be written.
    fn write_frames(&mut self, encoded: Vec<Encoded>, expected: usize) -> Result<()> {
        if encoded.len() != expected {
            return Err(flac_err(
                self.output,
                "encoding",
                &"an encoder thread failed",
            ));
        }
        for frame in encoded {
            let frame = frame.map_err(|e| flac_err(self.output, "encoding", &e))?;
            self.header.stream_info_mut().update_frame_info(&frame);
            self.sink.clear();
            frame
                .write(&mut self.sink)
                .map_err(|e| flac_err(self.output, "encoding", &e))?;
            self.w
                .write_all(self.sink.as_slice())
                .map_err(|e| Error::io(self.output, e))?;
        }
        Ok(())
    }

    /// Rewrites the header in place with the final block sizes, MD5 and
    /// sample count from `ctx`.
    ///
    /// # Errors
    /// [`Error::Audio`] when the header cannot be built or changed size;
    /// [`Error::Io`] when the file cannot be written.
    fn finish(mut self, ctx: &Context) -> Result<()> {
        // A fixed-blocksize stream states min = max = block size (as the reference
        // encoder does) even though its last block is shorter; decoders such as
        // symphonia take min != max to mean a variable-blocksize stream.
        let output = self.output;
        let info = self.header.stream_info_mut();
        info.set_block_sizes(self.block, self.block)
            .map_err(|e| flac_err(output, "header", &e))?;
        info.set_md5_digest(&ctx.md5_digest());
        info.set_total_samples(ctx.total_samples());
        let last = header_bytes(output, &self.header)?;
        if last.len() != self.header_len {
            return Err(Error::audio(output, "FLAC header changed size"));
        }
        let mut file = self
            .w
            .into_inner()
            .map_err(|e| Error::io(output, e.into_error()))?;
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&last))
            .and_then(|()| file.flush())
            .map_err(|e| Error::io(output, e))
    }
}

/// The header's bytes.
fn header_bytes(output: &Path, h: &Stream) -> Result<Vec<u8>> {
    let mut sink = ByteSink::new();
    h.write(&mut sink)
        .map_err(|e| flac_err(output, "header", &e))?;
    Ok(sink.into_inner())
}

/// The input side: blocks read from the WAV, quantized, metered and handed
/// to flacenc's context (which numbers them and hashes them for the MD5).
struct Feed<'a> {
    /// The f32 WAV being encoded.
    r: WavBlockReader,
    /// flacenc's input context (frame numbers, MD5, sample count).
    ctx: Context,
    /// Loudness of the delivered (quantized) samples.
    meter: MeterThread,
    /// Dither and quantization to the output's bit depth.
    q: Quantizer,
    /// Samples per channel in each block.
    block: usize,
    /// The output file, for errors.
    output: &'a Path,
    /// Interleaved f32 block, reused.
    buf: Vec<f32>,
    /// The block quantized, reused.
    ints: Vec<i32>,
    /// The quantized block as f32, reused.
    delivered: Vec<f32>,
    /// Frames (samples per channel) read so far.
    frames: u64,
}

impl Feed<'_> {
    /// Fills `bufs` with the next blocks; returns their frame numbers (fewer
    /// than `bufs` at the end of the input, none after it).
    fn fill(&mut self, bufs: &mut [FrameBuf]) -> Result<Vec<usize>> {
        let mut numbers = Vec::with_capacity(bufs.len());
        for fb in bufs {
            let n = self.r.read_block(&mut self.buf, self.block)?;
            if n == 0 {
                break;
            }
            self.q.block(&self.buf, &mut self.ints, &mut self.delivered);
            self.meter.add(&self.delivered)?;
            (&mut *fb, &mut self.ctx)
                .fill_interleaved(&self.ints)
                .map_err(|e| flac_err(self.output, "input", &e))?;
            numbers.push(self.ctx.current_frame_number().unwrap_or(0));
            self.frames += n as u64;
        }
        Ok(numbers)
    }
}
