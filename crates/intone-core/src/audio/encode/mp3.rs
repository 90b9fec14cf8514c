//! MP3 through LAME (`mp3lame-encoder`), with LAME's Xing/Info tag so
//! players know the exact length: the tag frame LAME reserves at the start of
//! the stream is overwritten with `lame_get_lametag_frame` once the stream is
//! flushed (LAME's `lame.h`), which records the encoder delay and padding for
//! gapless decoding.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use mp3lame_encoder::{
    max_required_buffer_size, Bitrate, Builder, FlushGap, InterleavedPcm, MonoPcm, Quality, VbrMode,
};

use super::{EncodeReport, Mp3Mode};
use crate::audio::meter_thread::MeterThread;
use crate::audio::wav::WavBlockReader;
use crate::audio::BLOCK_FRAMES;
use crate::error::{Error, Result};

fn bitrate(kbps: u16) -> Option<Bitrate> {
    Some(match kbps {
        32 => Bitrate::Kbps32,
        40 => Bitrate::Kbps40,
        48 => Bitrate::Kbps48,
        64 => Bitrate::Kbps64,
        80 => Bitrate::Kbps80,
        96 => Bitrate::Kbps96,
        112 => Bitrate::Kbps112,
        128 => Bitrate::Kbps128,
        160 => Bitrate::Kbps160,
        192 => Bitrate::Kbps192,
        224 => Bitrate::Kbps224,
        256 => Bitrate::Kbps256,
        320 => Bitrate::Kbps320,
        _ => return None,
    })
}

fn quality(q: u8) -> Quality {
    match q {
        0 => Quality::Best,
        1 => Quality::SecondBest,
        2 => Quality::NearBest,
        3 => Quality::VeryNice,
        4 => Quality::Nice,
        5 => Quality::Good,
        6 => Quality::Decent,
        7 => Quality::Ok,
        8 => Quality::SecondWorst,
        _ => Quality::Worst,
    }
}

/// Encodes the f32 WAV `input` (mono or stereo) to the MP3 file `output`.
///
/// # Errors
/// [`Error::Config`] for more than two channels or a rate LAME does not
/// take; [`Error::Audio`] naming the file.
pub(super) fn encode_mp3(input: &Path, output: &Path, mode: Mp3Mode) -> Result<EncodeReport> {
    mode.check()?;
    let lame = |what: &str, e: &dyn std::fmt::Display| {
        Error::audio(output, format!("MP3 encoder ({what}): {e}"))
    };
    let mut r = WavBlockReader::open(input)?;
    let (sample_rate_hz, channels) = (r.sample_rate_hz, r.channels);
    if !(1..=2).contains(&channels) {
        return Err(Error::Config(format!(
            "MP3 carries mono or stereo; {} has {channels} channels",
            input.display()
        )));
    }
    let mut b = Builder::new().ok_or_else(|| lame("init", &"out of memory"))?;
    b.set_num_channels(channels as u8)
        .map_err(|e| lame("channels", &e))?;
    b.set_sample_rate(sample_rate_hz)
        .map_err(|e| lame("sample rate", &e))?;
    b.set_to_write_vbr_tag(true)
        .map_err(|e| lame("Xing tag", &e))?;
    match mode {
        Mp3Mode::Cbr { kbps } => {
            b.set_vbr_mode(VbrMode::Off)
                .map_err(|e| lame("rate control", &e))?;
            let rate = bitrate(kbps).ok_or_else(|| lame("bit rate", &kbps))?;
            b.set_brate(rate).map_err(|e| lame("bit rate", &e))?;
        }
        Mp3Mode::Vbr { quality: q } => {
            b.set_vbr_mode(VbrMode::Mtrh)
                .map_err(|e| lame("rate control", &e))?;
            b.set_vbr_quality(quality(q))
                .map_err(|e| lame("VBR quality", &e))?;
        }
    }
    let mut enc = b.build().map_err(|e| lame("init", &e))?;

    let file = std::fs::File::create(output).map_err(|e| Error::io(output, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut meter = MeterThread::start(channels, sample_rate_hz, output)?;
    let mut buf = Vec::new();
    let mut out = Vec::with_capacity(max_required_buffer_size(BLOCK_FRAMES));
    let mut frames = 0u64;
    loop {
        let n = r.read_block(&mut buf, BLOCK_FRAMES)?;
        if n == 0 {
            break;
        }
        meter.add(&buf)?;
        out.clear();
        out.reserve(max_required_buffer_size(n));
        let encoded = if channels == 1 {
            enc.encode_to_vec(MonoPcm(buf.as_slice()), &mut out)
        } else {
            enc.encode_to_vec(InterleavedPcm(buf.as_slice()), &mut out)
        };
        encoded.map_err(|e| lame("encoding", &e))?;
        w.write_all(&out).map_err(|e| Error::io(output, e))?;
        frames += n as u64;
    }
    out.clear();
    out.reserve(max_required_buffer_size(0));
    enc.flush_to_vec::<FlushGap>(&mut out)
        .map_err(|e| lame("flush", &e))?;
    w.write_all(&out).map_err(|e| Error::io(output, e))?;
    let mut tag = Vec::with_capacity(enc.lame_tag_size());
    enc.lame_tag_encode_to_vec(&mut tag);
    let mut file = w
        .into_inner()
        .map_err(|e| Error::io(output, e.into_error()))?;
    if !tag.is_empty() {
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&tag))
            .map_err(|e| Error::io(output, e))?;
    }
    file.flush().map_err(|e| Error::io(output, e))?;
    Ok(EncodeReport {
        loudness: meter.finish()?,
        frames,
        sample_rate_hz,
        channels,
    })
}
