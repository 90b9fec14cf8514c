//! Mixing a mono voice stem over a stereo bed, streamed block by block:
//! lead-in (bed alone), voice, tail (bed after the last word), sidechain
//! ducking of the bed under the voice, voice brightness (high shelf), and
//! raised-cosine fades at both ends of the mix.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use serde::{Deserialize, Serialize};

use crate::audio::biquad::Biquad;
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::audio::{db_to_gain, ms_to_frames, BLOCK_FRAMES};
use crate::error::{Error, Result};

/// A source of bed audio: endless interleaved stereo at a fixed rate.
pub trait BedSource: Send {
    /// Fills `out` (interleaved stereo, `out.len()` even) with the next frames.
    fn fill(&mut self, out: &mut [f32]);
}

/// How to mix one track.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MixSettings {
    /// Bed alone before the voice starts, ms.
    pub lead_in_ms: f64,
    /// Bed (or silence) after the last word, ms.
    pub tail_ms: f64,
    /// Fade-in length at the start of the mix, ms.
    pub fade_in_ms: f64,
    /// Fade-out length at the end of the mix, ms (at most the tail when there is a bed).
    pub fade_out_ms: f64,
    /// Gain applied to the bed source, dB.
    pub bed_gain_db: f64,
    /// Extra bed attenuation while the voice speaks, dB (positive number).
    pub duck_db: f64,
    /// High-shelf gain on the voice above 3 kHz, dB (0 = off).
    pub brightness_db: f64,
    /// Voice compressor ratio (1 = off); threshold [`VOICE_COMPRESSOR_THRESHOLD_DBFS`].
    pub voice_compression_ratio: f64,
}

/// Voice compressor threshold (peak envelope, dBFS). The voice stem arrives
/// normalized to −20 LUFS, so this sits about 9 dB above its loudness: it
/// catches the peaks of stressed syllables and plosives, not the body.
pub const VOICE_COMPRESSOR_THRESHOLD_DBFS: f32 = -11.0;

/// Bed blocks rendered ahead of the mix at most.
const BED_QUEUE_BLOCKS: usize = 4;

/// Ducking detector threshold in dBFS of the voice stem envelope.
pub const DUCK_THRESHOLD_DBFS: f64 = -45.0;
/// Time the bed starts to dip before the voice, ms.
pub const DUCK_LOOKAHEAD_MS: f64 = 150.0;
const DUCK_ATTACK_MS: f64 = 120.0;
const DUCK_RELEASE_MS: f64 = 600.0;
const DUCK_HOLD_MS: f64 = 350.0;

/// What the mix produced.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MixReport {
    /// Frames written.
    pub frames: u64,
    /// Channels written (1 without a bed, 2 with).
    pub channels: u16,
    /// Frames per second.
    pub sample_rate_hz: u32,
}

fn one_pole(ms: f64, sr: u32) -> f32 {
    (-1.0 / (ms / 1000.0 * f64::from(sr)).max(1.0)).exp() as f32
}

/// Raised-cosine (Hann half) fade gain for position `t` in 0..=1.
fn fade_curve(t: f64) -> f32 {
    (0.5 - 0.5 * (std::f64::consts::PI * t.clamp(0.0, 1.0)).cos()) as f32
}

/// Mixes the mono f32 WAV `voice` over `bed` into the f32 WAV `output`.
/// Without a bed the output is mono.
///
/// # Errors
/// [`Error::Audio`] naming the file when the voice stem is not mono or cannot
/// be read, or the output cannot be written.
pub fn mix_file(
    voice: &Path,
    mut bed: Option<&mut dyn BedSource>,
    output: &Path,
    s: &MixSettings,
) -> Result<MixReport> {
    let mut r = WavBlockReader::open(voice)?;
    if r.channels != 1 {
        return Err(Error::audio(voice, "voice stem must be mono"));
    }
    let sr = r.sample_rate_hz;
    let channels: u16 = if bed.is_some() { 2 } else { 1 };
    let lead = ms_to_frames(s.lead_in_ms, sr) as u64;
    let tail = ms_to_frames(s.tail_ms, sr) as u64;
    let voice_frames = r.frames;
    let total = lead + voice_frames + tail;
    let fade_in = (ms_to_frames(s.fade_in_ms, sr) as u64).min(total / 2);
    let mut fade_out = ms_to_frames(s.fade_out_ms, sr) as u64;
    if bed.is_some() && tail > 0 {
        fade_out = fade_out.min(tail);
    }
    let fade_out = fade_out.min(total / 2);
    let la = ms_to_frames(DUCK_LOOKAHEAD_MS, sr);

    let mut w = WavBlockWriter::create(output, sr, channels)?;
    let mut comp = (s.voice_compression_ratio > 1.0).then(|| {
        crate::audio::dynamics::Compressor::new(
            sr,
            VOICE_COMPRESSOR_THRESHOLD_DBFS,
            s.voice_compression_ratio as f32,
            6.0,
            3.0,
            120.0,
        )
    });
    let mut one = [0f32; 1];
    let mut shelf = (s.brightness_db.abs() > 0.01)
        .then(|| Biquad::high_shelf(sr, 3000.0, s.brightness_db as f32));
    let bed_gain = db_to_gain(s.bed_gain_db) as f32;
    let duck_floor_db = -s.duck_db.abs() as f32;
    let thr = db_to_gain(DUCK_THRESHOLD_DBFS) as f32;
    let (env_att, env_rel) = (one_pole(5.0, sr), one_pole(120.0, sr));
    let (duck_att, duck_rel) = (one_pole(DUCK_ATTACK_MS, sr), one_pole(DUCK_RELEASE_MS, sr));
    let hold_frames = ms_to_frames(DUCK_HOLD_MS, sr) as u64;

    // Timeline source: lead zeros, voice, tail zeros, then look-ahead padding.
    let mut voice_buf = Vec::new();
    let mut voice_pos = 0usize;
    let mut voice_done = false;
    let mut next_timeline = |t: u64, r: &mut WavBlockReader| -> Result<f32> {
        if t < lead || t >= lead + voice_frames || voice_done {
            return Ok(0.0);
        }
        if voice_pos >= voice_buf.len() {
            voice_pos = 0;
            if r.read_block(&mut voice_buf, BLOCK_FRAMES)? == 0 {
                voice_done = true;
                return Ok(0.0);
            }
        }
        voice_pos += 1;
        Ok(voice_buf[voice_pos - 1])
    };
    let mut ahead: VecDeque<f32> = VecDeque::with_capacity(la + 1);
    let mut t_in = 0u64;
    for _ in 0..la {
        ahead.push_back(next_timeline(t_in, &mut r)?);
        t_in += 1;
    }

    // The bed is rendered on its own thread, block for block ahead of the
    // mix (at most BED_QUEUE_BLOCKS in flight, buffers reused).
    std::thread::scope(|scope| -> Result<()> {
        let (beds, spare_tx) = match bed.take() {
            Some(b) => {
                let (tx, rx) = sync_channel::<Vec<f32>>(BED_QUEUE_BLOCKS);
                let (back, spare) = sync_channel::<Vec<f32>>(BED_QUEUE_BLOCKS + 2);
                scope.spawn(move || {
                    let mut t = 0u64;
                    while t < total {
                        let n = (BLOCK_FRAMES as u64).min(total - t) as usize;
                        let mut block = spare.try_recv().unwrap_or_default();
                        block.resize(n * 2, 0.0);
                        b.fill(&mut block);
                        if tx.send(block).is_err() {
                            break;
                        }
                        t += n as u64;
                    }
                });
                (Some(rx), Some(back))
            }
            None => (None, None),
        };
        let (mut env, mut duck_db_now, mut since_active) = (0f32, 0f32, u64::MAX / 2);
        let mut out = Vec::with_capacity(BLOCK_FRAMES * usize::from(channels));
        let mut t = 0u64;
        let mut bg = bed_gain;
        while t < total {
            let n = (BLOCK_FRAMES as u64).min(total - t) as usize;
            let bed_block = match &beds {
                Some(rx) => rx
                    .recv()
                    .map_err(|_| Error::audio(output, "the bed stopped early"))?,
                None => Vec::new(),
            };
            out.clear();
            for i in 0..n {
                let tt = t + i as u64;
                // Detector looks `la` frames ahead of the output.
                let future = next_timeline(t_in, &mut r)?;
                t_in += 1;
                ahead.push_back(future);
                let a = future.abs();
                env = if a > env {
                    a + (env - a) * env_att
                } else {
                    a + (env - a) * env_rel
                };
                since_active = if env > thr {
                    0
                } else {
                    since_active.saturating_add(1)
                };
                let target = if since_active <= hold_frames {
                    duck_floor_db
                } else {
                    0.0
                };
                let coeff = if target < duck_db_now {
                    duck_att
                } else {
                    duck_rel
                };
                duck_db_now = target + (duck_db_now - target) * coeff;

                let mut v = ahead.pop_front().unwrap_or(0.0);
                if let Some(c) = comp.as_mut() {
                    one[0] = v;
                    c.process(&mut one);
                    v = one[0];
                }
                if let Some(f) = shelf.as_mut() {
                    v = f.process(v);
                }
                let mut g = 1.0f32;
                if tt < fade_in {
                    g *= fade_curve(tt as f64 / fade_in as f64);
                }
                if tt + fade_out >= total && fade_out > 0 {
                    g *= fade_curve((total - 1 - tt) as f64 / fade_out as f64);
                }
                if channels == 1 {
                    out.push(v * g);
                } else {
                    // The duck moves slowly: refresh its linear gain at control rate.
                    if i % 16 == 0 {
                        bg = bed_gain * 10f32.powf(duck_db_now / 20.0);
                    }
                    out.push((v + bed_block[i * 2] * bg) * g);
                    out.push((v + bed_block[i * 2 + 1] * bg) * g);
                }
            }
            w.write(&out)?;
            t += n as u64;
            if let Some(back) = &spare_tx {
                // The bed thread may be done: then the buffer is dropped.
                let _ = back.try_send(bed_block);
            }
        }
        Ok(())
    })?;
    w.finish()?;
    Ok(MixReport {
        frames: total,
        channels,
        sample_rate_hz: sr,
    })
}
