//! The drums (General MIDI percussion, MIDI channel 10): hats on every
//! eighth (open on the last of every fourth bar), kick on beats 1 and 3,
//! snare (or rim, when quiet) on 2 and 4, a snare fill at the end of each
//! 4/4 phrase. A breakdown keeps the hats alone.

use super::bar::Bar;
use super::sections::Section;
use super::{channel, Composer, Note};

/// General MIDI percussion keys.
const KICK: u8 = 36;
const SNARE: u8 = 38;
const RIM: u8 = 37;
const HAT: u8 = 42;
const OPEN_HAT: u8 = 46;

impl Composer {
    /// The drums of `bar`, in the A, B and breakdown sections of a brief
    /// with drums; velocities and the odd extra kick drawn from `rng`.
    pub(super) fn drums(&self, bar: &Bar, rng: &mut fastrand::Rng, notes: &mut Vec<Note>) {
        let plays = matches!(bar.section, Section::A | Section::B | Section::Breakdown);
        if !self.brief.drums || !plays {
            return;
        }
        let (energy, in_phrase) = (bar.energy, bar.in_phrase);
        let light = bar.section == Section::Breakdown;
        let eighths = u32::from(self.brief.beats_per_bar) * 2;
        for e in 0..eighths {
            let beat = f64::from(e) * 0.5;
            let pos = self.swing(beat);
            let hv = if e % 2 == 0 { 62.0 } else { 44.0 } + 20.0 * energy;
            let hat = if e == eighths - 1 && in_phrase % 4 == 3 {
                OPEN_HAT
            } else {
                HAT
            };
            let v = self.velocity(hv - 10.0, in_phrase, rng);
            notes.push(bar.note(channel::DRUMS, hat, pos, 0.25, v));
            if light {
                continue;
            }
            let kick = e == 0 || e == 4 || (e == 5 && rng.f32() < 0.25 * self.temperature);
            if kick {
                let v = self.velocity(80.0 + 20.0 * energy, in_phrase, rng);
                notes.push(bar.note(channel::DRUMS, KICK, pos, 0.25, v));
            }
            if e == 2 || e == 6 {
                let drum = if energy < 0.5 { RIM } else { SNARE };
                let v = self.velocity(70.0 + 20.0 * energy, in_phrase, rng);
                notes.push(bar.note(channel::DRUMS, drum, pos, 0.25, v));
            }
            // A fill at the end of each phrase.
            if in_phrase == 7 && e == 7 {
                let v = self.velocity(60.0, in_phrase, rng);
                notes.push(bar.note(channel::DRUMS, SNARE, beat + 0.25, 0.2, v));
            }
        }
    }
}
