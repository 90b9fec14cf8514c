//! What every part of one bar shares: its place in time and in the form,
//! its energy and chord, and how a note in it is timed (swing) and struck
//! (velocity).

use super::sections::Section;
use super::{Composer, Note};

/// One bar as its parts see it.
pub(super) struct Bar {
    /// Index of the bar in the piece (0-based).
    pub index: u64,
    /// Section of the form it is in.
    pub section: Section,
    /// Phrase it is in (see [`Composer::section`]).
    pub phrase: u64,
    /// Bar within the phrase or section (0-based).
    pub in_phrase: u64,
    /// Beats in the bar (3 or 4).
    pub beats: f64,
    /// Length of a beat, seconds.
    pub beat_s: f64,
    /// Start of the bar, seconds from the start of the piece.
    pub t0: f64,
    /// Energy of the bar, 0–1.
    pub energy: f32,
    /// Velocity the parts start from (before accents and variation).
    pub base_vel: f32,
    /// Pitch classes of its chord, root first.
    pub pcs: Vec<u8>,
    /// Whether it is the piece's last bar (which rings to the end).
    pub last: bool,
    /// Beats a held note lasts: to the end of the piece in the last bar,
    /// else nearly the whole bar.
    pub hold: f64,
}

impl Bar {
    /// A note on `channel` starting `start_beat` beats into the bar and
    /// lasting `dur_beats` beats (velocity at least 1).
    pub(super) fn note(
        &self,
        channel: u8,
        key: u8,
        start_beat: f64,
        dur_beats: f64,
        velocity: u8,
    ) -> Note {
        Note {
            start_s: self.t0 + start_beat * self.beat_s,
            dur_s: dur_beats * self.beat_s,
            channel,
            key,
            velocity: velocity.max(1),
        }
    }
}

impl Composer {
    /// Bar `bar` (which must be in the piece) as its parts see it.
    pub(super) fn bar_context(&self, bar: u64) -> Bar {
        let (section, phrase, in_phrase) = self.section(bar);
        let beats = f64::from(self.brief.beats_per_bar);
        let beat_s = self.beat_s;
        let t0 = self.offset_s + bar as f64 * beats * beat_s;
        let energy = section.energy(self.brief.energy, in_phrase);
        // A loop's last bar plays on into its first: it is no ending.
        let last = !self.open_end && !self.looped && bar + 1 == self.total_bars;
        // The last bar rings to the end of the piece (under the fade-out).
        let hold = if last {
            (self.end_s - t0) / beat_s
        } else {
            beats * 0.98
        };
        Bar {
            index: bar,
            section,
            phrase,
            in_phrase,
            beats,
            beat_s,
            t0,
            energy,
            base_vel: 38.0 + 60.0 * energy,
            pcs: self.chord(self.degree(bar)),
            last,
            hold,
        }
    }

    /// Delays off-beat eighths by the brief's swing (`beat` and the result
    /// in beats from the bar's start).
    pub(super) fn swing(&self, beat: f64) -> f64 {
        let frac = beat.fract();
        if (frac - 0.5).abs() < 1e-9 {
            beat + f64::from(self.brief.swing) * 0.5
        } else {
            beat
        }
    }

    /// MIDI velocity (20–120) for `base` with a phrase arc over the bar's
    /// place `in_phrase` and human variation growing with temperature.
    pub(super) fn velocity(&self, base: f32, in_phrase: u64, rng: &mut fastrand::Rng) -> u8 {
        let arc = (std::f32::consts::PI * (in_phrase as f32 + 0.5) / 8.0).sin() * 8.0;
        let human = (rng.f32() - 0.5) * 10.0 * self.temperature;
        (base + arc + human).clamp(20.0, 120.0) as u8
    }
}
