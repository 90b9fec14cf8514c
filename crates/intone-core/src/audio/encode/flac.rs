//! FLAC through flacenc (pure Rust), every core encoding frames.

use std::path::Path;

use flacenc::component::BitRepr;
use flacenc::error::Verify;
use flacenc::source::Fill;

use super::{EncodeReport, Quantizer};
use crate::audio::meter_thread::MeterThread;
use crate::audio::wav::WavBlockReader;
use crate::error::{Error, Result};

/// FLAC blocks each encoder thread takes per batch.
const FLAC_BLOCKS_PER_THREAD: usize = 4;

/// Streams FLAC frames to `output` as they are encoded, in batches of
/// [`FLAC_BLOCKS_PER_THREAD`] blocks per core encoded in parallel (bounded
/// memory), then
/// rewrites the STREAMINFO header with the final sample count, frame sizes
/// and MD5 (FLAC format spec, METADATA_BLOCK_STREAMINFO).
pub(super) fn encode_flac(input: &Path, output: &Path, bits: u16) -> Result<EncodeReport> {
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
