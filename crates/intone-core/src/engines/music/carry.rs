//! What the built-in composer carries from one scene into the next: the
//! key, tempo, meter, parts and style the scene played, its bar grid and its
//! place in the form, and its last chord's voicing. The next scene's prompt
//! wins where it names something (a key, a mood, a tempo, instruments);
//! everything it leaves unsaid goes on as it was, so a score flows through
//! its scenes instead of starting over at each one.

use serde::{Deserialize, Serialize};

use super::compose::{Composer, Form};
use super::prompt::{Brief, Mode, Style};

/// The musical state at the end of a take, handed to the next one as
/// [`Continuation::state`](super::Continuation::state) (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Carry {
    /// Tonic pitch class (0 = C).
    pub tonic: u8,
    /// Scale.
    pub mode: Mode,
    /// Beats per minute.
    pub tempo_bpm: f32,
    /// Beats per bar.
    pub beats_per_bar: u8,
    /// How the parts move.
    pub style: Style,
    /// General MIDI programs of the lead, harmony and bass.
    pub lead: u8,
    /// Harmony program.
    pub harmony: u8,
    /// Bass program.
    pub bass: u8,
    /// Whether drums played.
    pub drums: bool,
    /// Whether the lead played a melody.
    pub melody: bool,
    /// Swing of off-beat eighths.
    pub swing: f32,
    /// Seconds from the end of the take to its next downbeat.
    pub next_downbeat_s: f64,
    /// Bars played so far in the whole piece.
    pub bars: u64,
    /// The last chord's voicing (MIDI keys).
    pub voicing: Vec<u8>,
}

impl Carry {
    /// The state at the end of `composer`'s piece of `music_s` seconds,
    /// every bar of which has been composed.
    pub fn after(brief: &Brief, composer: &Composer, music_s: f64) -> Self {
        Self {
            tonic: brief.tonic,
            mode: brief.mode,
            tempo_bpm: brief.tempo_bpm,
            beats_per_bar: brief.beats_per_bar,
            style: brief.style,
            lead: brief.lead,
            harmony: brief.harmony,
            bass: brief.bass,
            drums: brief.drums,
            melody: brief.melody,
            swing: brief.swing,
            next_downbeat_s: composer.next_downbeat_after(music_s),
            bars: composer.bars_by(music_s),
            voicing: composer.voicing().to_vec(),
        }
    }

    /// Puts into `brief` what its prompt left unsaid, and returns the form
    /// of a piece that starts `overlap_s` before the end of the carried
    /// one (its bar grid lined up with the downbeats the carried one would
    /// have played next).
    pub fn apply(&self, brief: &mut Brief, overlap_s: f64, open_end: bool) -> Form {
        let g = brief.given;
        if !g.tonic {
            brief.tonic = self.tonic;
        }
        if !g.mode && !g.tonic {
            brief.mode = self.mode;
        }
        if !g.tempo {
            brief.tempo_bpm = self.tempo_bpm;
        }
        if !g.meter {
            brief.beats_per_bar = self.beats_per_bar;
        }
        if !g.parts {
            brief.style = self.style;
            brief.lead = self.lead;
            brief.harmony = self.harmony;
            brief.bass = self.bass;
            brief.melody = self.melody;
            brief.swing = self.swing;
            if !g.drums {
                brief.drums = self.drums;
            }
        }
        if brief.drums && brief.style == Style::Sustained {
            brief.style = Style::Groove;
        }
        Form {
            continues: true,
            open_end,
            first_downbeat_s: overlap_s + self.next_downbeat_s,
            bars_before: self.bars,
            voicing: self.voicing.clone(),
            looped: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::prompt::read;
    use super::*;

    #[test]
    fn unsaid_things_carry_and_named_things_win() {
        let first = read("calm strings in D minor, 70 bpm");
        let mut c = Composer::new(first.clone(), 1, 0.5, 12.0, &Form::default());
        for b in 0..c.total_bars() {
            c.bar(b);
        }
        let carry = Carry::after(&first, &c, 12.0);
        // 70 bpm: a bar is 60/70·4 ≈ 3.43 s; 12 s is 3.5 bars.
        assert!((carry.next_downbeat_s - (4.0 * 240.0 / 70.0 - 12.0)).abs() < 1e-9);
        assert_eq!(carry.bars, 4);

        let mut next = read("the market, with percussion");
        let form = carry.apply(&mut next, 1.0, true);
        assert_eq!((next.tonic, next.mode), (2, Mode::Minor));
        assert_eq!(next.tempo_bpm, 70.0);
        assert_eq!(next.lead, first.lead, "the strings play on");
        assert!(next.drums, "the percussion asked for joins in");
        assert!(form.continues && form.open_end && form.bars_before == 4);

        let mut named = read("bright piano in G major, 120 bpm");
        carry.apply(&mut named, 1.0, false);
        assert_eq!(
            (named.tonic, named.mode, named.tempo_bpm),
            (7, Mode::Major, 120.0)
        );
    }
}
