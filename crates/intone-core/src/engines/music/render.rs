//! Plays the composer's notes through a SoundFont synthesizer (rustysynth,
//! with its reverb and chorus) and layers the procedural ambiences, block by
//! block, straight into a WAV writer: memory does not grow with length.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};

use super::brief::{Ambience, Brief, Style};
use super::compose::{channel, Composer, Form};
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
    /// fade-in, an open-ended one no fade-out.
    pub form: Form,
}

/// Renders `r` as interleaved stereo blocks handed to `sink`, in order,
/// `r.frames` frames in all. Returns false (having stopped early) when
/// `cancelled` says so.
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
    let fade_s = (dur_s * 0.2).min(3.0);
    let fade_in_frames = (0.01 * f64::from(sr)) as u64;
    let fade_out_frames = ((fade_s * f64::from(sr)) as u64).max(1);

    let mut synth = if r.brief.music {
        let mut settings = SynthesizerSettings::new(sr as i32);
        settings.maximum_polyphony = 128;
        settings.enable_reverb_and_chorus = true;
        let mut s = Synthesizer::new(r.soundfont, &settings)
            .map_err(|e| format!("the synthesizer cannot start at {sr} Hz: {e:?}"))?;
        s.set_master_volume(0.6);
        Some(s)
    } else {
        None
    };
    let mut composer = Composer::new(r.brief.clone(), r.seed, r.temperature, dur_s, &r.form);
    if let Some(s) = synth.as_mut() {
        let reverb = if r.brief.style == Style::Sustained {
            100
        } else {
            64
        };
        // (channel, volume, pan, reverb send, chorus send)
        let mix: [(u8, i32, i32, i32, i32); 4] = [
            (channel::LEAD, 100, 70, reverb, 10),
            (channel::HARMONY, 78, 54, reverb + 10, 40),
            (channel::BASS, 96, 64, 30, 0),
            (channel::ARPEGGIO, 84, 76, reverb, 10),
        ];
        for (ch, program) in composer.programs() {
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

    let mut ambiences: Vec<(Box<dyn BedSource>, f32)> = Vec::new();
    let n_amb = r.brief.ambience.len().max(1) as f32;
    for (i, a) in r.brief.ambience.iter().enumerate() {
        let seed = r.seed.wrapping_add(i as u64 * 7919);
        let src: Box<dyn BedSource> = match a {
            Ambience::Rain => Box::new(Rain::new(sr, seed)),
            Ambience::Ocean => Box::new(Ocean::new(sr, seed)),
            Ambience::Wind => Box::new(Wind::new(sr, seed)),
            Ambience::Night => Box::new(Night::new(sr, seed)),
        };
        // Under music an ambience sits about 10 dB down; alone they share unity.
        let gain = if r.brief.music {
            0.3
        } else {
            1.0 / n_amb.sqrt()
        };
        ambiences.push((src, gain));
    }

    let mut events: BinaryHeap<Reverse<Event>> = BinaryHeap::new();
    let mut sounding: HashMap<(u8, u8), u32> = HashMap::new();
    let mut next_bar = 0u64;
    let bar_frames = composer.bar_s() * f64::from(sr);
    let offset_frames = composer.offset_s() * f64::from(sr);
    let lookahead = (LOOKAHEAD_S * f64::from(sr)) as u64;
    let mut left = vec![0f32; BLOCK];
    let mut right = vec![0f32; BLOCK];
    let mut amb = vec![0f32; BLOCK * 2];
    let mut out = vec![0f32; BLOCK * 2];
    let mut pos = 0u64;
    while pos < r.frames {
        if cancelled() {
            return Ok(false);
        }
        let n = (r.frames - pos).min(BLOCK as u64) as usize;
        while next_bar < composer.total_bars()
            && offset_frames + next_bar as f64 * bar_frames <= (pos + n as u64 + lookahead) as f64
        {
            for note in composer.bar(next_bar) {
                // A note begun before the piece (the partial bar a
                // continuation starts in) sounds from its first sample.
                let end_s = note.start_s + note.dur_s;
                if end_s <= 0.0 {
                    continue;
                }
                let on = (note.start_s.max(0.0) * f64::from(sr)).round() as u64;
                let off = (end_s * f64::from(sr)).round() as u64;
                let (channel, key, velocity) = (note.channel, note.key, note.velocity);
                events.push(Reverse(Event {
                    frame: on,
                    on: true,
                    channel,
                    key,
                    velocity,
                }));
                events.push(Reverse(Event {
                    frame: off.max(on + 1),
                    on: false,
                    channel,
                    key,
                    velocity: 0,
                }));
            }
            next_bar += 1;
        }
        if let Some(s) = synth.as_mut() {
            let mut at = 0usize;
            while at < n {
                // Apply every event due at this frame, then render to the next one.
                while let Some(Reverse(e)) = events.peek().copied() {
                    if e.frame > pos + at as u64 {
                        break;
                    }
                    events.pop();
                    let (ch, key) = (i32::from(e.channel), i32::from(e.key));
                    let count = sounding.entry((e.channel, e.key)).or_insert(0);
                    if e.on {
                        // A key struck while it still sounds is re-struck;
                        // it is released when its last note ends.
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
                let until = events
                    .peek()
                    .map(|Reverse(e)| (e.frame.saturating_sub(pos) as usize).clamp(at + 1, n))
                    .unwrap_or(n);
                s.render(&mut left[at..until], &mut right[at..until]);
                at = until;
            }
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
            for (o, a) in out[..n * 2].iter_mut().zip(&amb[..n * 2]) {
                *o += a * *gain;
            }
        }
        // Fades: 10 ms in, raised-cosine out over the last `fade_s`.
        for i in 0..n {
            let f = pos + i as u64;
            let mut g = 1.0f32;
            if f < fade_in_frames && !r.form.continues {
                g *= f as f32 / fade_in_frames as f32;
            }
            let to_end = r.frames - f;
            if to_end <= fade_out_frames && !r.form.open_end {
                let p = (to_end - 1) as f32 / fade_out_frames as f32;
                g *= 0.5 - 0.5 * (std::f32::consts::PI * p).cos();
            }
            out[2 * i] *= g;
            out[2 * i + 1] *= g;
        }
        sink(&out[..n * 2])?;
        pos += n as u64;
    }
    Ok(true)
}
