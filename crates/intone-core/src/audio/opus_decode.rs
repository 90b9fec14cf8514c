//! Reading Opus in Ogg (what Intone delivers as `opus`, and what most
//! `.opus` files are) with libopus, since symphonia 0.5 has no Opus decoder.
//! The stream is laid out as RFC 7845 says:
//!
//! - the first packet is `OpusHead` (§5.1): version 1, channel count,
//!   pre-skip (48 kHz samples to drop at the start), the input's rate (for
//!   information only), output gain (Q7.8 dB) and the channel mapping family;
//!   only family 0 (mono or stereo, one Opus stream) is read here;
//! - the second is `OpusTags` (§5.2), skipped;
//! - then audio packets, decoded at 48 kHz; the granule position of the last
//!   page counts the samples to keep, pre-skip included (§4.5), so the
//!   padding the encoder added at the end is cut.
//!
//! Packets are decoded one at a time: memory is one packet's samples
//! (at most 120 ms, RFC 6716 §3.2.5) besides what the caller keeps.

use std::io::{BufReader, Read};
use std::path::Path;

use ogg::reading::PacketReader;

use crate::error::{Error, Result};

/// Opus always decodes at this rate here, Hz (RFC 7845 §4).
pub const OPUS_RATE_HZ: u32 = 48_000;
/// Samples per channel in the longest Opus packet (120 ms at 48 kHz).
const MAX_PACKET_FRAMES: usize = 5_760;

/// Whether `path` is Ogg Opus this module reads: an Ogg page whose first
/// packet is an `OpusHead` of mapping family 0 (mono or stereo). Other Opus
/// (surround, family 1 or 255) is left to the callers' other decoders.
/// Reads the first 64 bytes.
pub fn is_ogg_opus(path: &Path) -> bool {
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = [0u8; 64];
    let mut r = BufReader::new(f);
    let mut n = 0;
    while n < head.len() {
        match r.read(&mut head[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    // Page header: "OggS", 22 more bytes, the segment count, the segment table.
    if n < 28 || &head[..4] != b"OggS" {
        return false;
    }
    let start = 27 + usize::from(head[26]);
    start + 19 <= n
        && &head[start..start + 8] == b"OpusHead"
        && head[start + 18] == 0
        && matches!(head[start + 9], 1 | 2)
}

/// An Ogg Opus file being decoded, packet by packet, to interleaved f32 at
/// 48 kHz.
pub struct OpusReader<R: Read + std::io::Seek> {
    packets: PacketReader<R>,
    decoder: opus::Decoder,
    /// Channels (1 or 2).
    pub channels: u16,
    /// Always [`OPUS_RATE_HZ`].
    pub sample_rate_hz: u32,
    /// Samples per channel still to drop at the start.
    skip: u64,
    /// Samples per channel decoded so far, pre-skip included.
    decoded: u64,
    /// Linear output gain from the head.
    gain: f32,
    done: bool,
    buf: Vec<f32>,
    path: std::path::PathBuf,
}

impl OpusReader<BufReader<std::fs::File>> {
    /// Opens `path` and reads its `OpusHead` and `OpusTags`.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it cannot be opened, is not Ogg
    /// Opus, has a head of another version, or needs a channel mapping other
    /// than family 0.
    pub fn open(path: &Path) -> Result<Self> {
        let f = std::fs::File::open(path)
            .map_err(|e| Error::audio(path, format!("cannot open: {e}")))?;
        Self::new(BufReader::new(f), path)
    }
}

impl<R: Read + std::io::Seek> OpusReader<R> {
    fn new(source: R, path: &Path) -> Result<Self> {
        let bad = |m: String| Error::audio(path, m);
        let mut packets = PacketReader::new(source);
        let head = packets
            .read_packet()
            .map_err(|e| bad(format!("not an Ogg file ({e})")))?
            .ok_or_else(|| bad("the Ogg stream is empty".into()))?;
        let h = &head.data;
        if h.len() < 19 || &h[..8] != b"OpusHead" {
            return Err(bad("the Ogg stream is not Opus (no OpusHead)".into()));
        }
        if h[8] >> 4 != 0 {
            return Err(bad(format!("OpusHead version {} is not supported", h[8])));
        }
        let channels = u16::from(h[9]);
        let pre_skip = u16::from_le_bytes([h[10], h[11]]);
        let gain_q8 = i16::from_le_bytes([h[16], h[17]]);
        let family = h[18];
        let layout = match (family, channels) {
            (0, 1) => opus::Channels::Mono,
            (0, 2) => opus::Channels::Stereo,
            _ => {
                return Err(bad(format!(
                    "Opus with {channels} channels (mapping family {family}) is not supported; \
                     Intone reads mono and stereo Opus"
                )))
            }
        };
        let tags = packets
            .read_packet()
            .map_err(|e| bad(format!("the Ogg stream is broken ({e})")))?
            .ok_or_else(|| bad("the Opus stream has no OpusTags".into()))?;
        if !tags.data.starts_with(b"OpusTags") {
            return Err(bad("the Opus stream's second packet is not OpusTags".into()));
        }
        let decoder =
            opus::Decoder::new(OPUS_RATE_HZ, layout).map_err(|e| bad(format!("libopus: {e}")))?;
        Ok(Self {
            packets,
            decoder,
            channels,
            sample_rate_hz: OPUS_RATE_HZ,
            skip: u64::from(pre_skip),
            decoded: 0,
            // RFC 7845 §5.1: gain in dB = Q7.8 value / 256.
            gain: 10f32.powf(f32::from(gain_q8) / 256.0 / 20.0),
            done: false,
            buf: vec![0.0; MAX_PACKET_FRAMES * usize::from(channels)],
            path: path.to_path_buf(),
        })
    }

    /// Decodes the next packet into `out` (cleared first): its samples after
    /// pre-skip and end trimming. Returns the frames written; 0 at the end.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file on a broken page or packet.
    pub fn read_packet(&mut self, out: &mut Vec<f32>) -> Result<usize> {
        out.clear();
        let ch = usize::from(self.channels);
        while !self.done {
            let packet = match self.packets.read_packet() {
                Ok(Some(p)) => p,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    return Err(Error::audio(
                        &self.path,
                        format!("the Ogg stream is broken ({e})"),
                    ))
                }
            };
            let frames = self
                .decoder
                .decode_float(&packet.data, &mut self.buf, false)
                .map_err(|e| Error::audio(&self.path, format!("libopus: {e}")))?;
            let start = self.decoded;
            let mut end = start + frames as u64;
            self.decoded = end;
            if packet.last_in_stream() {
                self.done = true;
                // The end page's granule position is where the audio ends.
                end = end.min(packet.absgp_page().max(start));
            }
            let from = self.skip.clamp(start, end);
            let (a, b) = ((from - start) as usize, (end - start) as usize);
            if b > a {
                out.extend(self.buf[a * ch..b * ch].iter().map(|s| s * self.gain));
                return Ok(b - a);
            }
        }
        Ok(0)
    }
}

/// Decodes a whole Ogg Opus file to a clip at 48 kHz.
///
/// # Errors
/// As [`OpusReader::open`] and [`OpusReader::read_packet`]; also when the
/// file holds no audio.
pub fn decode_file(path: &Path) -> Result<crate::audio::Clip> {
    let mut r = OpusReader::open(path)?;
    let mut samples = Vec::new();
    let mut block = Vec::new();
    while r.read_packet(&mut block)? > 0 {
        samples.extend_from_slice(&block);
    }
    if samples.is_empty() {
        return Err(Error::audio(path, "file contains no audio"));
    }
    Ok(crate::audio::Clip {
        sample_rate_hz: r.sample_rate_hz,
        channels: r.channels,
        samples,
    })
}
