//! The melody: a rhythm per bar from a table for the style, chord tones on
//! strong beats and phrase endings, scale steps (now and then a leap)
//! between, drifting back toward the middle of its range. A phrases share
//! a motif: the same generator for the same bar of the phrase, unless
//! temperature picks a variation.

use super::bar::Bar;
use super::sections::Section;
use super::{channel, mix, Composer, Note};
use crate::engines::music::brief::{Mode, Style};

/// Lowest and highest MIDI keys of the melody.
const LO: u8 = 62;
const HI: u8 = 86;

/// Rhythms of a bar's melody, in beats (negative = rest).
fn rhythms(style: Style, beats: u8) -> &'static [&'static [f32]] {
    if beats == 3 {
        return &[&[2.0, 1.0], &[1.0, 1.0, 1.0], &[3.0], &[1.5, 0.5, 1.0]];
    }
    match style {
        Style::Sustained => &[&[4.0], &[2.0, 2.0], &[3.0, 1.0], &[-2.0, 2.0]],
        Style::Arpeggio => &[&[2.0, 2.0], &[1.0, 1.0, 2.0], &[3.0, 1.0], &[1.5, 0.5, 2.0]],
        Style::Comping => &[
            &[1.0, 1.0, 2.0],
            &[2.0, 1.0, 1.0],
            &[1.5, 0.5, 1.0, 1.0],
            &[4.0],
        ],
        Style::Groove => &[
            &[1.0, 0.5, 0.5, 2.0],
            &[0.5, 0.5, 1.0, -1.0, 1.0],
            &[-0.5, 0.5, 1.0, 0.5, 1.5],
            &[1.5, 0.5, 2.0],
        ],
    }
}

/// Every note of the scale on `tonic` (pitch class) in `mode` from C1 to C7
/// (MIDI keys 24–96, ascending).
pub(super) fn scale(tonic: u8, mode: Mode) -> Vec<u8> {
    let steps = mode.steps();
    (24u8..=96)
        .filter(|k| steps.contains(&((k + 12 - tonic % 12) % 12)))
        .collect()
}

/// The MIDI key the melody starts from: the `tonic` (pitch class) between
/// G4 and F#5 (MIDI 67–78).
pub(super) fn first_key(tonic: u8) -> u8 {
    let tonic_mid = 60 + tonic % 12;
    if tonic_mid > 66 {
        tonic_mid
    } else {
        tonic_mid + 12
    }
}

impl Composer {
    /// The melody of `bar`, in the A, B and outro sections of a brief with
    /// one. It goes on from the key the last bar's melody ended on.
    pub(super) fn melody(&mut self, bar: &Bar, notes: &mut Vec<Note>) {
        let plays = matches!(bar.section, Section::A | Section::B | Section::Outro);
        if !self.brief.melody || !plays {
            return;
        }
        let mut mr = self.motif_rng(bar);
        let plain = self.temperature < 0.05;
        let whole_bar = [bar.beats as f32];
        let rhythm: &[f32] = if bar.last {
            &whole_bar
        } else {
            self.rhythm(bar, plain, &mut mr)
        };
        let mut beat = 0.0f64;
        let phrase_end = bar.in_phrase % 4 == 3 || bar.last;
        for (i, &len) in rhythm.iter().enumerate() {
            let dur = f64::from(len.abs());
            let last_note = i + 1 == rhythm.len();
            let rest = len < 0.0
                || (!plain
                    && i > 0
                    && mr.f32() < (0.08 + 0.12 * (1.0 - bar.energy)) * self.temperature);
            if !rest {
                let strong = beat.fract() == 0.0 && (beat as u32).is_multiple_of(2);
                let key = if strong || (phrase_end && last_note) {
                    self.chord_tone(bar, plain, &mut mr)
                } else {
                    self.scale_step(plain, &mut mr)
                };
                self.melody_key = key;
                let legato = if self.brief.style == Style::Groove {
                    0.85
                } else {
                    0.98
                };
                let dur_play = if bar.last { bar.hold } else { dur * legato };
                let accent = if strong { 6.0 } else { 0.0 };
                let v = self.velocity(bar.base_vel + accent, bar.in_phrase, &mut mr);
                let start = if plain { beat } else { self.swing(beat) };
                notes.push(bar.note(channel::LEAD, key, start, dur_play, v));
            }
            beat += dur;
        }
    }

    /// The melody's generator for `bar`: the same for the same bar of every
    /// A phrase (or every B phrase) unless temperature picks a variation
    /// for this phrase.
    fn motif_rng(&self, bar: &Bar) -> fastrand::Rng {
        let variation = {
            let mut vr = fastrand::Rng::with_seed(mix(&[self.seed, 4, bar.phrase]));
            if vr.f32() < 0.35 * self.temperature {
                bar.phrase
            } else {
                0
            }
        };
        let sect_id = if bar.section == Section::B { 1 } else { 0 };
        fastrand::Rng::with_seed(mix(&[self.seed, 5, sect_id, variation, bar.in_phrase]))
    }

    /// The rhythm of a bar that is not the last: in turn when `plain`, else
    /// drawn from `mr`.
    fn rhythm(&self, bar: &Bar, plain: bool, mr: &mut fastrand::Rng) -> &'static [f32] {
        let options = rhythms(self.brief.style, self.brief.beats_per_bar);
        if plain {
            options[(bar.in_phrase as usize) % options.len()]
        } else {
            options[mr.usize(..options.len())]
        }
    }

    /// A note on a strong beat or ending a phrase: the chord tone nearest
    /// the line (sometimes the second nearest), or, in the last bar, the
    /// tonic nearest it.
    fn chord_tone(&self, bar: &Bar, plain: bool, mr: &mut fastrand::Rng) -> u8 {
        let pcs = &bar.pcs;
        let mut tones: Vec<u8> = (LO..=HI)
            .filter(|k| pcs[..3.min(pcs.len())].contains(&(k % 12)))
            .collect();
        tones.sort_by_key(|&k| (i32::from(k) - i32::from(self.melody_key)).abs());
        let pick = usize::from(!plain && mr.f32() < 0.3 * self.temperature);
        if bar.last {
            // Home: the tonic nearest the line.
            let mut t: Vec<u8> = (LO..=HI)
                .filter(|k| k % 12 == self.brief.tonic % 12)
                .collect();
            t.sort_by_key(|&k| (i32::from(k) - i32::from(self.melody_key)).abs());
            t.first().copied().unwrap_or(self.melody_key)
        } else {
            tones
                .get(pick)
                .or(tones.first())
                .copied()
                .unwrap_or(self.melody_key)
        }
    }

    /// A note between strong beats: a scale step (at some temperature a
    /// leap of 2–4 steps) from the last, up or down, drifting back toward
    /// the middle of the range.
    fn scale_step(&self, plain: bool, mr: &mut fastrand::Rng) -> u8 {
        let leap = !plain && mr.f32() < 0.15 * self.temperature;
        let size = if leap { 2 + mr.i32(0..=2) } else { 1 };
        let up = if self.melody_key > 78 {
            mr.f32() < 0.25
        } else if self.melody_key < 68 {
            mr.f32() < 0.75
        } else {
            mr.bool()
        };
        self.step_from(self.melody_key, if up { size } else { -size }, LO, HI)
    }

    /// The scale note `steps` scale steps from `key` (which need not be in
    /// the scale), kept between `lo` and `hi` (MIDI keys).
    fn step_from(&self, key: u8, steps: i32, lo: u8, hi: u8) -> u8 {
        let idx = self.scale.iter().position(|&k| k >= key).unwrap_or(0) as i32;
        let to = (idx + steps).clamp(0, self.scale.len() as i32 - 1) as usize;
        let k = self.scale[to];
        if k < lo {
            k + 12
        } else if k > hi {
            k - 12
        } else {
            k
        }
    }
}
