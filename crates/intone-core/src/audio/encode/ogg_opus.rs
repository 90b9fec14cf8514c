//! Opus (libopus through the `opus` crate) in Ogg (the `ogg` crate), laid
//! out as RFC 7845 says: an `OpusHead` page, `OpusTags` pages, then 20 ms
//! packets whose granule positions count 48 kHz samples from the start of
//! the encoder's output. The head's pre-skip is the encoder's lookahead and
//! the last page's granule position trims the padding, so a decoder returns
//! exactly the input's length.

use std::io::Write;
use std::path::Path;

use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use super::EncodeReport;
use crate::audio::meter_thread::MeterThread;
use crate::audio::opus_decode::OPUS_RATE_HZ;
use crate::audio::resample::StreamResampler;
use crate::audio::tags::{self, Tags};
use crate::audio::wav::WavBlockReader;
use crate::audio::BLOCK_FRAMES;
use crate::error::{Error, Result};

/// Samples per channel in one 20 ms packet at 48 kHz.
const PACKET_FRAMES: usize = 960;
/// Packets per Ogg page (one second), for seeking.
const PACKETS_PER_PAGE: usize = 50;
/// Largest packet libopus writes (RFC 6716 §3.2.1 bound for one frame).
const MAX_PACKET_BYTES: usize = 4000;
/// The stream's serial number (one logical stream per file).
const SERIAL: u32 = 0x1a70_0001;

/// `OpusHead` (RFC 7845 §5.1), channel mapping family 0.
fn head(channels: u16, pre_skip: u16, input_rate_hz: u32) -> Vec<u8> {
    let mut h = b"OpusHead".to_vec();
    h.push(1);
    h.push(channels as u8);
    h.extend_from_slice(&pre_skip.to_le_bytes());
    h.extend_from_slice(&input_rate_hz.to_le_bytes());
    h.extend_from_slice(&0i16.to_le_bytes());
    h.push(0);
    h
}

/// `OpusTags` (RFC 7845 §5.2): the magic, then a Vorbis comment block.
fn comment_header(comments: &[(String, String)]) -> Vec<u8> {
    let mut h = b"OpusTags".to_vec();
    h.extend_from_slice(&tags::comment_block(comments));
    h
}

/// Packs encoded packets into pages, holding one back so the last can end
/// the stream with the trimming granule position.
struct Packer<W: Write> {
    w: PacketWriter<'static, W>,
    held: Option<(Vec<u8>, u64)>,
    count: usize,
}

impl<W: Write> Packer<W> {
    fn push(&mut self, packet: Vec<u8>, granule: u64) -> std::io::Result<()> {
        if let Some((p, g)) = self.held.replace((packet, granule)) {
            self.count += 1;
            let end = if self.count.is_multiple_of(PACKETS_PER_PAGE) {
                PacketWriteEndInfo::EndPage
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            self.w.write_packet(p, SERIAL, end, g)?;
        }
        Ok(())
    }
    fn finish(mut self, last_granule: u64) -> std::io::Result<W> {
        if let Some((p, _)) = self.held.take() {
            self.w
                .write_packet(p, SERIAL, PacketWriteEndInfo::EndStream, last_granule)?;
        }
        Ok(self.w.into_inner())
    }
}

/// The encoder and the Ogg stream it writes to: 20 ms packets at 48 kHz
/// (RFC 7845), each stamped with the granule position of its last sample.
struct OpusStream<'o> {
    enc: opus::Encoder,
    packer: Packer<std::io::BufWriter<std::fs::File>>,
    packet: Vec<u8>,
    /// Frames (at 48 kHz) encoded so far, the pre-skip included.
    encoded: u64,
    channels: usize,
    output: &'o Path,
}

impl<'o> OpusStream<'o> {
    /// Opens `output` and writes the identification and comment headers;
    /// returns the stream and its pre-skip (the encoder's lookahead).
    fn create(
        output: &'o Path,
        channels: u16,
        rate_in: u32,
        kbps: u32,
        comments: &[(String, String)],
    ) -> Result<(Self, u16)> {
        let layout = if channels == 1 {
            opus::Channels::Mono
        } else {
            opus::Channels::Stereo
        };
        let mut enc = opus::Encoder::new(OPUS_RATE_HZ, layout, opus::Application::Audio)
            .map_err(|e| codec(output, "init", &e))?;
        let bits = i32::try_from(kbps.saturating_mul(1000)).unwrap_or(i32::MAX);
        enc.set_bitrate(opus::Bitrate::Bits(bits))
            .map_err(|e| codec(output, "bit rate", &e))?;
        let lookahead = enc
            .get_lookahead()
            .map_err(|e| codec(output, "lookahead", &e))?;
        let pre_skip = u16::try_from(lookahead).map_err(|e| codec(output, "lookahead", &e))?;
        let file = std::fs::File::create(output).map_err(|e| Error::io(output, e))?;
        let mut w = PacketWriter::new(std::io::BufWriter::new(file));
        let io = |e: std::io::Error| Error::io(output, e);
        w.write_packet(
            head(channels, pre_skip, rate_in),
            SERIAL,
            PacketWriteEndInfo::EndPage,
            0,
        )
        .map_err(io)?;
        w.write_packet(
            comment_header(comments),
            SERIAL,
            PacketWriteEndInfo::EndPage,
            0,
        )
        .map_err(io)?;
        let stream = Self {
            enc,
            packer: Packer {
                w,
                held: None,
                count: 0,
            },
            packet: vec![0u8; MAX_PACKET_BYTES],
            encoded: 0,
            channels: usize::from(channels),
            output,
        };
        Ok((stream, pre_skip))
    }

    /// Encodes every whole packet at the front of `at48` (interleaved, 48 kHz)
    /// and drains it; with `flush`, the rest too, padded with silence.
    fn encode_ready(&mut self, at48: &mut Vec<f32>, flush: bool) -> Result<()> {
        let whole = PACKET_FRAMES * self.channels;
        let mut used = 0;
        while at48.len() - used >= whole || (flush && used < at48.len()) {
            let end = (used + whole).min(at48.len());
            let mut frame = at48[used..end].to_vec();
            frame.resize(whole, 0.0);
            let n = self
                .enc
                .encode_float(&frame, &mut self.packet)
                .map_err(|e| codec(self.output, "encoding", &e))?;
            self.encoded += PACKET_FRAMES as u64;
            self.packer
                .push(self.packet[..n].to_vec(), self.encoded)
                .map_err(|e| Error::io(self.output, e))?;
            used = end;
        }
        at48.drain(..used);
        Ok(())
    }

    /// Ends the stream at granule `total` and flushes the file.
    fn finish(self, total: u64) -> Result<()> {
        let output = self.output;
        let mut inner = self
            .packer
            .finish(total)
            .map_err(|e| Error::io(output, e))?;
        inner.flush().map_err(|e| Error::io(output, e))?;
        inner
            .into_inner()
            .map_err(|e| Error::io(output, e.into_error()))?;
        Ok(())
    }
}

/// An encoder error naming the file being written.
fn codec(output: &Path, what: &str, e: &dyn std::fmt::Display) -> Error {
    Error::audio(output, format!("Opus encoder ({what}): {e}"))
}

/// Encodes the f32 WAV `input` (mono or stereo, any rate: resampled to
/// 48 kHz) to the Ogg Opus file `output` at `kbps`, with `tags` as its
/// comments.
///
/// # Errors
/// [`Error::Config`] for more than two channels; [`Error::Audio`] and
/// [`Error::Io`] naming the file that cannot be read, encoded or written.
pub(super) fn encode_opus(
    input: &Path,
    output: &Path,
    kbps: u32,
    tags: &Tags,
) -> Result<EncodeReport> {
    let mut r = WavBlockReader::open(input)?;
    let (rate_in, channels) = (r.sample_rate_hz, r.channels);
    if !(1..=2).contains(&channels) {
        return Err(Error::Config(format!(
            "Opus here carries mono or stereo; {} has {channels} channels",
            input.display()
        )));
    }
    // Loop points count 48 kHz samples after pre-skip, as an Opus decoder outputs them.
    let comments = tags::opus_comments(&tags.loop_at_rate(rate_in, OPUS_RATE_HZ))?;
    let (mut stream, pre_skip) = OpusStream::create(output, channels, rate_in, kbps, &comments)?;
    let ch = usize::from(channels);
    let mut resampler = if rate_in == OPUS_RATE_HZ {
        None
    } else {
        Some(StreamResampler::new(rate_in, OPUS_RATE_HZ, channels)?)
    };
    let mut meter = MeterThread::start(channels, rate_in, output)?;
    let mut buf = Vec::new();
    let mut at48: Vec<f32> = Vec::new();
    let mut frames_48 = 0u64;
    loop {
        let n = r.read_block(&mut buf, BLOCK_FRAMES)?;
        if n == 0 {
            break;
        }
        meter.add(&buf)?;
        let before = at48.len();
        match resampler.as_mut() {
            Some(rs) => rs.push(&buf, &mut at48)?,
            None => at48.extend_from_slice(&buf),
        }
        frames_48 += ((at48.len() - before) / ch) as u64;
        stream.encode_ready(&mut at48, false)?;
    }
    if let Some(rs) = resampler.take() {
        let before = at48.len();
        rs.finish(&mut at48)?;
        frames_48 += ((at48.len() - before) / ch) as u64;
    }
    // The encoder's output lags its input by the pre-skip: feed silence until
    // every input sample has come out.
    let total = u64::from(pre_skip) + frames_48;
    let missing = total.saturating_sub(stream.encoded + (at48.len() / ch) as u64);
    at48.resize(at48.len() + missing as usize * ch, 0.0);
    stream.encode_ready(&mut at48, true)?;
    stream.finish(total)?;
    Ok(EncodeReport {
        loudness: meter.finish()?,
        frames: frames_48,
        sample_rate_hz: OPUS_RATE_HZ,
        channels,
    })
}
