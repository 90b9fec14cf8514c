//! Plays the composer's notes through a SoundFont synthesizer (rustysynth,
//! with its reverb and chorus) and layers the procedural ambiences, block by
//! block, straight into a WAV writer: memory does not grow with length.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};

use super::brief::{Ambience, Brief, Style};
use super::compose::{channel, Composer, Form, Note};
use crate::audio::mix::BedSource;
use crate::engines::beds::{Night, Ocean, Rain, Wind};

/// Frames rendered per block.
const BLOCK: usize = 1024;
/// Notes are composed this far ahead of the block being rendered, seconds.
const LOOKAHEAD_S: f64 = 1.0;
/// MIDI status bytes (MIDI 1.0 Detailed Specification).
const CONTROL_CHANGE: i32 = 0xB0;
const PROGRAM_CHANGE: i32 = 0xC0;

/// A note event at a frame; offs sort before ons at the same frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    frame: u64,
    on: bool,
    channel: u8,
    key: u8,
    velocity: u8,
}

/// What to render.
pub struct Render<'a> {
    /// The brief (tempo, key, parts, ambiences).
    pub brief: Brief,
    /// Seed of the composition and the ambiences.
    pub seed: u64,
    /// 0–2: how far the composer strays from its plain patterns.
    pub temperature: f32,
    /// Exact length, frames.
    pub frames: u64,
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// The SoundFont the parts play.
    pub soundfont: &'a Arc<SoundFont>,
    /// Where the piece sits in a longer one: a continuing piece has no
    /// fade-in, an open-ended one no fade-out, a loop neither.
    pub form: Form,
    /// For a loop: frames rendered after `frames` (the last notes' release
    /// and reverb, to fold into the head). The ambiences fade in (sine)
    /// over this many frames at the start and out (cosine) over the tail,
    /// so folded together they keep their power.
    pub tail_frames: u64,
}

/// Renders `r` as interleaved stereo blocks (f32 samples at
/// `r.sample_rate_hz`, at most 1024 frames a block) handed to `sink`, in
/// order, `r.frames + r.tail_frames` frames in all. Returns false (having stopped early)
/// when `cancelled` says so.
///
/// # Errors
/// Whatever `sink` returns; a synthesizer that cannot start (bad sample
/// rate) as a message.
pub fn render(
    r: &Render<'_>,
    sink: &mut dyn FnMut(&[f32]) -> Result<(), String>,
    cancelled: &dyn Fn() -> bool,
) -> Result<bool, String> {
    let sr = r.sample_rate_hz;
    let dur_s = r.frames as f64 / f64::from(sr);
    let fades = Fades::new(r, dur_s);
    let mut synth = synthesizer(r)?;
    let mut composer = Composer::new(r.brief.clone(), r.seed, r.temperature, dur_s, &r.form);
    if let Some(s) = synth.as_mut() {
        set_up_channels(s, r.brief.style, composer.programs());
    }
    let mut ambiences = ambiences(&r.brief, r.seed, sr);
    let mut sequencer = Sequencer::new(&composer, sr);
    let mut left = vec![0f32; BLOCK];
    let mut right = vec![0f32; BLOCK];
    let mut amb = vec![0f32; BLOCK * 2];
    let mut out = vec![0f32; BLOCK * 2];
    let mut pos = 0u64;
    let total = r.frames + r.tail_frames;
    while pos < total {
        if cancelled() {
            return Ok(false);
        }
        let n = (total - pos).min(BLOCK as u64) as usize;
        sequencer.compose_ahead(&mut composer, pos + n as u64);
        if let Some(s) = synth.as_mut() {
            sequencer.play(s, pos, &mut left[..n], &mut right[..n]);
        } else {
            left[..n].fill(0.0);
            right[..n].fill(0.0);
        }
        for i in 0..n {
            out[2 * i] = left[i];
            out[2 * i + 1] = right[i];
        }
        for (src, gain) in &mut ambiences {
            src.fill(&mut amb[..n * 2]);
            for (i, (o, a)) in out[..n * 2].iter_mut().zip(&amb[..n * 2]).enumerate() {
                *o += a * *gain * loop_envelope(r, pos + (i / 2) as u64);
            }
        }
        fades.apply(&mut out[..n * 2], pos);
        sink(&out[..n * 2])?;
        pos += n as u64;
    }
    Ok(true)
}

/// The ambiences' gain at frame `f` of a loop: a quarter sine up over the
/// first `tail_frames`, a quarter cosine down over the tail (1 elsewhere,
/// and always for a piece that is not a loop).
fn loop_envelope(r: &Render<'_>, f: u64) -> f32 {
    let t = r.tail_frames;
    if t == 0 {
        return 1.0;
    }
    let quarter = |x: u64| (x as f32 + 0.5) / t as f32 * std::f32::consts::FRAC_PI_2;
    if f >= r.frames {
        quarter(f - r.frames).min(std::f32::consts::FRAC_PI_2).cos()
    } else if f < t {
        quarter(f).sin()
    } else {
        1.0
    }
}

/// The SoundFont synthesizer, with its reverb and chorus, for a brief with
/// music (`None` for ambience alone).
fn synthesizer(r: &Render<'_>) -> Result<Option<Synthesizer>, String> {
    if !r.brief.music {
        return Ok(None);
    }
    let sr = r.sample_rate_hz;
    let mut settings = SynthesizerSettings::new(sr as i32);
    settings.maximum_polyphony = 128;
    settings.enable_reverb_and_chorus = true;
    let mut s = Synthesizer::new(r.soundfont, &settings)
        .map_err(|e| format!("the synthesizer cannot start at {sr} Hz: {e:?}"))?;
    s.set_master_volume(0.6);
    Ok(Some(s))
}

/// Sets each part's General MIDI program, (channel, program) as
/// [`Composer::programs`] gives them, and the mix: volume, pan, reverb and
/// chorus sends (more reverb for sustained styles), and the drums'.
fn set_up_channels(s: &mut Synthesizer, style: Style, programs: [(u8, u8); 4]) {
    let reverb = if style == Style::Sustained { 100 } else { 64 };
    // (channel, volume, pan, reverb send, chorus send)
    let mix: [(u8, i32, i32, i32, i32); 4] = [
        (channel::LEAD, 100, 70, reverb, 10),
        (channel::HARMONY, 78, 54, reverb + 10, 40),
        (channel::BASS, 96, 64, 30, 0),
        (channel::ARPEGGIO, 84, 76, reverb, 10),
    ];
    for (ch, program) in programs {
        s.process_midi_message(i32::from(ch), PROGRAM_CHANGE, i32::from(program), 0);
    }
    for (ch, vol, pan, rev, cho) in mix {
        let ch = i32::from(ch);
        s.process_midi_message(ch, CONTROL_CHANGE, 7, vol);
        s.process_midi_message(ch, CONTROL_CHANGE, 10, pan);
        s.process_midi_message(ch, CONTROL_CHANGE, 91, rev.min(127));
        s.process_midi_message(ch, CONTROL_CHANGE, 93, cho);
    }
    let drums = i32::from(channel::DRUMS);
    s.process_midi_message(drums, CONTROL_CHANGE, 7, 90);
    s.process_midi_message(drums, CONTROL_CHANGE, 91, 30);
}

/// The brief's ambiences at `sr` Hz, each seeded from `seed` and its place,
/// with its gain: about 10 dB down under music, sharing unity alone.
fn ambiences(brief: &Brief, seed: u64, sr: u32) -> Vec<(Box<dyn BedSource>, f32)> {
    let n_amb = brief.ambience.len().max(1) as f32;
    let mut ambiences: Vec<(Box<dyn BedSource>, f32)> = Vec::new();
    for (i, a) in brief.ambience.iter().enumerate() {
        let seed = seed.wrapping_add(i as u64 * 7919);
        let src: Box<dyn BedSource> = match a {
            Ambience::Rain => Box::new(Rain::new(sr, seed)),
            Ambience::Ocean => Box::new(Ocean::new(sr, seed)),
            Ambience::Wind => Box::new(Wind::new(sr, seed)),
            Ambience::Night => Box::new(Night::new(sr, seed)),
        };
        let gain = if brief.music { 0.3 } else { 1.0 / n_amb.sqrt() };
        ambiences.push((src, gain));
    }
    ambiences
}

/// The composer's notes as MIDI events, composed a bar at a time ahead of
/// the block being rendered, and played into the synthesizer at their
/// frames.
struct Sequencer {
    /// Events to come, earliest first.
    events: BinaryHeap<Reverse<Event>>,
    /// Notes sounding on each (channel, key).
    sounding: HashMap<(u8, u8), u32>,
    /// The next bar to compose.
    next_bar: u64,
    /// Length of a bar, frames.
    bar_frames: f64,
    /// Start of bar 0, frames (negative when the piece begins mid-bar).
    offset_frames: f64,
    /// How far ahead of a block bars are composed, frames.
    lookahead: u64,
    /// Sample rate, Hz.
    sr: u32,
}

impl Sequencer {
    fn new(composer: &Composer, sr: u32) -> Self {
        Self {
            events: BinaryHeap::new(),
            sounding: HashMap::new(),
            next_bar: 0,
            bar_frames: composer.bar_s() * f64::from(sr),
            offset_frames: composer.offset_s() * f64::from(sr),
            lookahead: (LOOKAHEAD_S * f64::from(sr)) as u64,
            sr,
        }
    }

    /// Composes every bar that starts before `end` (the frame a block ends
    /// at) plus the lookahead, and queues its notes.
    fn compose_ahead(&mut self, composer: &mut Composer, end: u64) {
        while self.next_bar < composer.total_bars()
            && self.offset_frames + self.next_bar as f64 * self.bar_frames
                <= (end + self.lookahead) as f64
        {
            for note in composer.bar(self.next_bar) {
                self.queue(note);
            }
            self.next_bar += 1;
        }
    }

    /// Queues a note's on and off events (at least a frame apart). A note
    /// begun before the piece (the partial bar a continuation starts in)
    /// sounds from its first sample; one over before it is dropped.
    fn queue(&mut self, note: Note) {
        let sr = f64::from(self.sr);
        let end_s = note.start_s + note.dur_s;
        if end_s <= 0.0 {
            return;
        }
        let on = (note.start_s.max(0.0) * sr).round() as u64;
        let off = (end_s * sr).round() as u64;
        let (channel, key, velocity) = (note.channel, note.key, note.velocity);
        self.events.push(Reverse(Event {
            frame: on,
            on: true,
            channel,
            key,
            velocity,
        }));
        self.events.push(Reverse(Event {
            frame: off.max(on + 1),
            on: false,
            channel,
            key,
            velocity: 0,
        }));
    }

    /// Renders the block starting at frame `pos` into `left` and `right`
    /// (one sample a frame each), applying every event at its frame.
    fn play(&mut self, s: &mut Synthesizer, pos: u64, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        let mut at = 0usize;
        while at < n {
            // Apply every event due at this frame, then render to the next one.
            while let Some(Reverse(e)) = self.events.peek().copied() {
                if e.frame > pos + at as u64 {
                    break;
                }
                self.events.pop();
                self.apply(s, e);
            }
            let until = self
                .events
                .peek()
                .map(|Reverse(e)| (e.frame.saturating_sub(pos) as usize).clamp(at + 1, n))
                .unwrap_or(n);
            s.render(&mut left[at..until], &mut right[at..until]);
            at = until;
        }
    }

    /// Sends one event to the synthesizer. A key struck while it still
    /// sounds is re-struck; it is released when its last note ends.
    fn apply(&mut self, s: &mut Synthesizer, e: Event) {
        let (ch, key) = (i32::from(e.channel), i32::from(e.key));
        let count = self.sounding.entry((e.channel, e.key)).or_insert(0);
        if e.on {
            if *count > 0 {
                s.note_off(ch, key);
            }
            *count += 1;
            s.note_on(ch, key, i32::from(e.velocity));
        } else if *count > 0 {
            *count -= 1;
            if *count == 0 {
                s.note_off(ch, key);
            }
        }
    }
}

/// The piece's fades: 10 ms in (unless it continues earlier music), and
/// raised-cosine out over its last fifth, at most 3 s (unless more music
/// follows).
struct Fades {
    /// Length of the piece, frames.
    frames: u64,
    /// Length of the fade-in, frames.
    in_frames: u64,
    /// Length of the fade-out, frames (at least 1).
    out_frames: u64,
    /// Whether it fades in.
    fade_in: bool,
    /// Whether it fades out.
    fade_out: bool,
}

impl Fades {
    fn new(r: &Render<'_>, dur_s: f64) -> Self {
        let sr = r.sample_rate_hz;
        let fade_s = (dur_s * 0.2).min(3.0);
        Self {
            frames: r.frames,
            in_frames: (0.01 * f64::from(sr)) as u64,
            out_frames: ((fade_s * f64::from(sr)) as u64).max(1),
            fade_in: !r.form.continues && !r.form.looped,
            fade_out: !r.form.open_end && !r.form.looped,
        }
    }

    /// Applies the fades to interleaved stereo `out` starting at frame `pos`.
    fn apply(&self, out: &mut [f32], pos: u64) {
        for (i, frame) in out.chunks_exact_mut(2).enumerate() {
            let f = pos + i as u64;
            let mut g = 1.0f32;
            if f < self.in_frames && self.fade_in {
                g *= f as f32 / self.in_frames as f32;
            }
            let to_end = self.frames.saturating_sub(f);
            if to_end <= self.out_frames && self.fade_out && to_end > 0 {
                let p = (to_end - 1) as f32 / self.out_frames as f32;
                g *= 0.5 - 0.5 * (std::f32::consts::PI * p).cos();
            }
            frame[0] *= g;
            frame[1] *= g;
        }
    }
}
