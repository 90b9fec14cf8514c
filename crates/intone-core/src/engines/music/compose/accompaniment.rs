//! The accompaniment of a bar: its chord as the style plays it (held,
//! struck on the beats, or broken over a soft pad) and the bass line.
//! Velocities are drawn from the bar's generator in a fixed order: the
//! chords', the broken chords' (one a note), then the bass's.

use super::bar::Bar;
use super::sections::Section;
use super::{channel, Composer, Note};
use crate::engines::music::brief::Style;

impl Composer {
    /// Harmony: held chords (sustained), struck chords (comping, groove),
    /// or a soft pad under broken chords, on `voicing` (MIDI keys).
    pub(super) fn chords(
        &self,
        bar: &Bar,
        voicing: &[u8],
        rng: &mut fastrand::Rng,
        notes: &mut Vec<Note>,
    ) {
        let hv = self.velocity(bar.base_vel - 12.0, bar.in_phrase, rng);
        match self.brief.style {
            Style::Sustained | Style::Arpeggio => self.held_chord(bar, voicing, hv, notes),
            Style::Comping | Style::Groove => self.struck_chords(bar, voicing, hv, notes),
        }
    }

    /// A chord held for a bar, or for two (sustained styles strike one every
    /// other bar), softer under broken chords.
    fn held_chord(&self, bar: &Bar, voicing: &[u8], hv: u8, notes: &mut Vec<Note>) {
        let style = self.brief.style;
        // Sustained styles hold a chord over two bars, the outro's one by one.
        let two_bar = style == Style::Sustained && bar.section != Section::Outro;
        let held_bars = if two_bar && bar.in_phrase % 2 == 1 {
            0.0
        } else if two_bar && !bar.last {
            2.0
        } else {
            1.0
        };
        if held_bars > 0.0 {
            let dur = if bar.last {
                bar.hold
            } else {
                bar.beats * held_bars - 0.05
            };
            let v = if style == Style::Arpeggio {
                hv.saturating_sub(18)
            } else {
                hv
            };
            for &k in voicing {
                notes.push(bar.note(channel::HARMONY, k, 0.0, dur, v));
            }
        }
    }

    /// Chords struck on a rhythm of the meter and style (one held to the
    /// end in the outro's last bar), the first hit accented.
    fn struck_chords(&self, bar: &Bar, voicing: &[u8], hv: u8, notes: &mut Vec<Note>) {
        let hits: &[(f64, f64)] = if self.brief.beats_per_bar == 3 {
            &[(0.0, 0.95), (1.0, 0.9), (2.0, 0.9)]
        } else if self.brief.style == Style::Groove {
            &[(0.0, 1.4), (1.5, 0.4), (2.5, 1.4)]
        } else if bar.energy > 0.5 {
            &[(0.0, 0.95), (1.0, 0.95), (2.0, 0.95), (3.0, 0.95)]
        } else {
            &[(0.0, 1.9), (2.0, 1.9)]
        };
        let hits: Vec<(f64, f64)> = if bar.section == Section::Outro && bar.last {
            vec![(0.0, bar.hold)]
        } else {
            hits.to_vec()
        };
        for (i, (start, dur)) in hits.iter().enumerate() {
            let swung = self.swing(*start);
            let v = if i == 0 { hv } else { hv.saturating_sub(8) };
            for &k in voicing {
                notes.push(bar.note(channel::HARMONY, k, swung, *dur, v));
            }
        }
    }

    /// Broken chords in eighths over `voicing` and its octave (the arpeggio
    /// style, after the intro); the last bar strikes one note and holds it.
    pub(super) fn broken_chords(
        &self,
        bar: &Bar,
        voicing: &[u8],
        rng: &mut fastrand::Rng,
        notes: &mut Vec<Note>,
    ) {
        if self.brief.style != Style::Arpeggio || bar.section == Section::Intro {
            return;
        }
        let step = 0.5;
        let mut chord_keys = voicing.to_vec();
        chord_keys.push(voicing[0] + 12);
        let pattern: &[usize] = if self.brief.beats_per_bar == 3 {
            &[0, 1, 2, 3, 2, 1]
        } else {
            &[0, 1, 2, 3, 2, 1, 2, 1]
        };
        let count = if bar.last { 1 } else { pattern.len() };
        for (i, &p) in pattern.iter().take(count).enumerate() {
            let k = chord_keys[p % chord_keys.len()];
            let v = self.velocity(
                bar.base_vel - 6.0 - if i % 2 == 1 { 8.0 } else { 0.0 },
                bar.in_phrase,
                rng,
            );
            let dur = if bar.last { bar.hold } else { step * 1.6 };
            notes.push(bar.note(channel::ARPEGGIO, k, i as f64 * step, dur, v));
        }
    }

    /// The bass: a walking line on a groove, a long root under sustained
    /// styles (every other bar), else root and fifth (or the root held).
    pub(super) fn bass(&self, bar: &Bar, rng: &mut fastrand::Rng, notes: &mut Vec<Note>) {
        let root = {
            let mut k = 36 + bar.pcs[0];
            if k > 47 {
                k -= 12;
            }
            k
        };
        let bv = self.velocity(bar.base_vel - 2.0, bar.in_phrase, rng);
        match self.brief.style {
            Style::Groove if bar.section != Section::Intro && !bar.last => {
                self.walking_bass(bar, root, bv, notes);
            }
            Style::Sustained => {
                if bar.in_phrase.is_multiple_of(2) || bar.section == Section::Outro {
                    let bars = if bar.last || bar.section == Section::Outro {
                        1.0
                    } else {
                        2.0
                    };
                    let dur = if bar.last {
                        bar.hold
                    } else {
                        bar.beats * bars - 0.1
                    };
                    notes.push(bar.note(channel::BASS, root, 0.0, dur, bv.saturating_sub(10)));
                }
            }
            _ => {
                if bar.last || bar.beats == 3.0 {
                    notes.push(bar.note(channel::BASS, root, 0.0, bar.hold, bv));
                } else {
                    notes.push(bar.note(channel::BASS, root, 0.0, 1.9, bv));
                    notes.push(bar.note(channel::BASS, root + 7, 2.0, 1.9, bv.saturating_sub(8)));
                }
            }
        }
    }

    /// Root, root, fifth, and a note a semitone from the next bar's root.
    fn walking_bass(&self, bar: &Bar, root: u8, bv: u8, notes: &mut Vec<Note>) {
        let fifth = root + 7;
        let next_root = 36 + self.chord(self.degree(bar.index + 1))[0];
        let approach = if next_root > root {
            next_root - 1
        } else {
            next_root + 1
        };
        let line: &[(f64, u8, f64)] = &[
            (0.0, root, 1.4),
            (1.5, root, 0.45),
            (2.0, fifth, 0.9),
            (3.5, approach, 0.45),
        ];
        for (start, key, dur) in line {
            notes.push(bar.note(channel::BASS, *key, self.swing(*start), *dur, bv));
        }
    }
}
