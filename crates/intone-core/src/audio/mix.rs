//! Mixing a mono voice stem over a stereo bed, streamed block by block:
//! lead-in (bed alone), voice, tail (bed after the last word), sidechain
//! ducking of the bed under the voice, voice brightness (high shelf), and
//! raised-cosine fades at both ends of the mix.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use serde::{Deserialize, Serialize};

use crate::audio::biquad::Biquad;
use crate::audio::dynamics::Compressor;
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

/// Where things fall on the mix's timeline, frames.
struct Timing {
    /// Bed alone before the voice.
    lead: u64,
    /// Length of the voice stem.
    voice_frames: u64,
    /// Length of the mix: lead, voice and tail.
    total: u64,
    /// Fade-in length (at most half the mix).
    fade_in: u64,
    /// Fade-out length (at most half the mix; at most the tail with a bed).
    fade_out: u64,
    /// How far the ducking detector looks ahead of the output.
    lookahead: usize,
}

impl Timing {
    fn new(s: &MixSettings, sr: u32, voice_frames: u64, has_bed: bool) -> Self {
        let lead = ms_to_frames(s.lead_in_ms, sr) as u64;
        let tail = ms_to_frames(s.tail_ms, sr) as u64;
        let total = lead + voice_frames + tail;
        let fade_in = (ms_to_frames(s.fade_in_ms, sr) as u64).min(total / 2);
        let mut fade_out = ms_to_frames(s.fade_out_ms, sr) as u64;
        if has_bed && tail > 0 {
            fade_out = fade_out.min(tail);
        }
        let fade_out = fade_out.min(total / 2);
        Self {
            lead,
            voice_frames,
            total,
            fade_in,
            fade_out,
            lookahead: ms_to_frames(DUCK_LOOKAHEAD_MS, sr),
        }
    }

    /// Fade gain at frame `t` of the mix (1 outside the fades).
    fn fade_gain(&self, t: u64) -> f32 {
        let mut g = 1.0f32;
        if t < self.fade_in {
            g *= fade_curve(t as f64 / self.fade_in as f64);
        }
        if t + self.fade_out >= self.total && self.fade_out > 0 {
            g *= fade_curve((self.total - 1 - t) as f64 / self.fade_out as f64);
        }
        g
    }
}

/// The voice on the mix's timeline (lead zeros, the stem, tail zeros, then
/// look-ahead padding), read `lookahead` frames ahead of the output.
struct Timeline {
    /// The voice stem.
    r: WavBlockReader,
    /// First frame of the voice on the timeline.
    lead: u64,
    /// Length of the voice.
    voice_frames: u64,
    /// The current block of the stem, and the next sample in it.
    buf: Vec<f32>,
    pos: usize,
    /// Whether the stem ended (early, if shorter than its header said).
    done: bool,
    /// Timeline position of the next sample read.
    t_in: u64,
    /// Samples read but not yet output.
    ahead: VecDeque<f32>,
}

impl Timeline {
    /// The timeline of `r`, with the first `t.lookahead` samples read.
    fn new(r: WavBlockReader, t: &Timing) -> Result<Self> {
        let mut tl = Self {
            r,
            lead: t.lead,
            voice_frames: t.voice_frames,
            buf: Vec::new(),
            pos: 0,
            done: false,
            t_in: 0,
            ahead: VecDeque::with_capacity(t.lookahead + 1),
        };
        for _ in 0..t.lookahead {
            let x = tl.read()?;
            tl.ahead.push_back(x);
        }
        Ok(tl)
    }

    /// The next sample of the timeline.
    fn read(&mut self) -> Result<f32> {
        let t = self.t_in;
        self.t_in += 1;
        if t < self.lead || t >= self.lead + self.voice_frames || self.done {
            return Ok(0.0);
        }
        if self.pos >= self.buf.len() {
            self.pos = 0;
            if self.r.read_block(&mut self.buf, BLOCK_FRAMES)? == 0 {
                self.done = true;
                return Ok(0.0);
            }
        }
        self.pos += 1;
        Ok(self.buf[self.pos - 1])
    }

    /// Advances one frame: returns the sample `lookahead` frames ahead (for
    /// the detector) and the one to output now.
    fn advance(&mut self) -> Result<(f32, f32)> {
        let future = self.read()?;
        self.ahead.push_back(future);
        Ok((future, self.ahead.pop_front().unwrap_or(0.0)))
    }
}

/// The voice's processing: compressor, then high shelf, each when on.
struct VoiceChain {
    comp: Option<Compressor>,
    shelf: Option<Biquad>,
}

impl VoiceChain {
    fn new(s: &MixSettings, sr: u32) -> Self {
        let comp = (s.voice_compression_ratio > 1.0).then(|| {
            Compressor::new(
                sr,
                VOICE_COMPRESSOR_THRESHOLD_DBFS,
                s.voice_compression_ratio as f32,
                6.0,
                3.0,
                120.0,
            )
        });
        let shelf = (s.brightness_db.abs() > 0.01)
            .then(|| Biquad::high_shelf(sr, 3000.0, s.brightness_db as f32));
        Self { comp, shelf }
    }

    fn process(&mut self, mut v: f32) -> f32 {
        if let Some(c) = self.comp.as_mut() {
            let mut one = [v];
            c.process(&mut one);
            v = one[0];
        }
        if let Some(f) = self.shelf.as_mut() {
            v = f.process(v);
        }
        v
    }
}

/// Sidechain ducking: a peak envelope of the voice (looked at ahead of the
/// output) holds the bed down while it is above [`DUCK_THRESHOLD_DBFS`].
struct Ducker {
    /// Voice envelope (linear) and its attack/release coefficients.
    env: f32,
    env_att: f32,
    env_rel: f32,
    /// Threshold, linear.
    thr: f32,
    /// Frames since the envelope was last above the threshold.
    since_active: u64,
    /// How long the duck holds after the voice, frames.
    hold_frames: u64,
    /// Attenuation while ducked, dB (≤ 0).
    floor_db: f32,
    /// The attenuation now, dB, and its attack/release coefficients.
    db_now: f32,
    att: f32,
    rel: f32,
}

impl Ducker {
    fn new(s: &MixSettings, sr: u32) -> Self {
        Self {
            env: 0.0,
            env_att: one_pole(5.0, sr),
            env_rel: one_pole(120.0, sr),
            thr: db_to_gain(DUCK_THRESHOLD_DBFS) as f32,
            since_active: u64::MAX / 2,
            hold_frames: ms_to_frames(DUCK_HOLD_MS, sr) as u64,
            floor_db: -s.duck_db.abs() as f32,
            db_now: 0.0,
            att: one_pole(DUCK_ATTACK_MS, sr),
            rel: one_pole(DUCK_RELEASE_MS, sr),
        }
    }

    /// Moves the attenuation one frame on, given the voice sample `future`.
    fn step(&mut self, future: f32) {
        let a = future.abs();
        self.env = if a > self.env {
            a + (self.env - a) * self.env_att
        } else {
            a + (self.env - a) * self.env_rel
        };
        self.since_active = if self.env > self.thr {
            0
        } else {
            self.since_active.saturating_add(1)
        };
        let target = if self.since_active <= self.hold_frames {
            self.floor_db
        } else {
            0.0
        };
        let coeff = if target < self.db_now {
            self.att
        } else {
            self.rel
        };
        self.db_now = target + (self.db_now - target) * coeff;
    }
}

/// Renders `total` frames of `bed` block by block into `tx`, reusing the
/// buffers that come back on `spare`; stops early when the mix hangs up.
fn render_bed(
    bed: &mut dyn BedSource,
    total: u64,
    tx: SyncSender<Vec<f32>>,
    spare: Receiver<Vec<f32>>,
) {
    let mut t = 0u64;
    while t < total {
        let n = (BLOCK_FRAMES as u64).min(total - t) as usize;
        let mut block = spare.try_recv().unwrap_or_default();
        block.resize(n * 2, 0.0);
        bed.fill(&mut block);
        if tx.send(block).is_err() {
            break;
        }
        t += n as u64;
    }
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
    let r = WavBlockReader::open(voice)?;
    if r.channels != 1 {
        return Err(Error::audio(voice, "voice stem must be mono"));
    }
    let sr = r.sample_rate_hz;
    let channels: u16 = if bed.is_some() { 2 } else { 1 };
    let timing = Timing::new(s, sr, r.frames, bed.is_some());
    let total = timing.total;

    let mut w = WavBlockWriter::create(output, sr, channels)?;
    let mut chain = VoiceChain::new(s, sr);
    let bed_gain = db_to_gain(s.bed_gain_db) as f32;
    let mut duck = Ducker::new(s, sr);
    let mut timeline = Timeline::new(r, &timing)?;

    // The bed is rendered on its own thread, block for block ahead of the
    // mix (at most BED_QUEUE_BLOCKS in flight, buffers reused).
    std::thread::scope(|scope| -> Result<()> {
        let (beds, spare_tx) = match bed.take() {
            Some(b) => {
                let (tx, rx) = sync_channel::<Vec<f32>>(BED_QUEUE_BLOCKS);
                let (back, spare) = sync_channel::<Vec<f32>>(BED_QUEUE_BLOCKS + 2);
                scope.spawn(move || render_bed(b, total, tx, spare));
                (Some(rx), Some(back))
            }
            None => (None, None),
        };
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
                // Detector looks `lookahead` frames ahead of the output.
                let (future, now) = timeline.advance()?;
                duck.step(future);
                let v = chain.process(now);
                let g = timing.fade_gain(tt);
                if channels == 1 {
                    out.push(v * g);
                } else {
                    // The duck moves slowly: refresh its linear gain at control rate.
                    if i % 16 == 0 {
                        bg = bed_gain * 10f32.powf(duck.db_now / 20.0);
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
