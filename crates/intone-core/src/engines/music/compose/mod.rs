//! The built-in composer: turns a [`Brief`], a seed and a temperature into
//! notes, one bar at a time, so a piece of any length is composed as it is
//! rendered (memory does not grow with length).
//!
//! - **Form** (`sections`): an intro (harmony and bass only), then 8-bar
//!   phrases in the order A A B A (repeating; every eighth phrase a lighter
//!   "breakdown"), and an outro that comes home to the tonic and thins out.
//! - **Harmony** (`harmony`): a progression per section from a table for
//!   the mode (I–V–vi–IV, i–VI–III–VII, …); chords are voiced with the least
//!   total movement from the previous voicing (smooth voice leading).
//! - **Accompaniment** (`accompaniment`): the chords as the style plays
//!   them (held, struck or broken) and the bass line.
//! - **Melody** (`melody`): chord tones on strong beats, scale steps
//!   between, phrase endings on a chord tone; an A phrase repeats its motif,
//!   varied more the higher the temperature.
//! - **Drums** (`drums`): hats on the eighths, kick and snare (or rim) on
//!   the beats, a fill at each phrase's end.
//! - **Temperature** (0–2): 0 plays the plain patterns; higher adds rests,
//!   leaps, rhythmic variation, chord substitutions and looser timing and
//!   velocity.
//!
//! Everything random comes from generators seeded by the seed, the phrase
//! and the bar: the same inputs give the same notes.

mod accompaniment;
mod bar;
mod drums;
mod harmony;
mod melody;
mod sections;

use super::brief::{Brief, Style};

/// MIDI channels of the parts (0-based, as rustysynth numbers them).
pub mod channel {
    /// Lead melody.
    pub const LEAD: u8 = 0;
    /// Chords or pad.
    pub const HARMONY: u8 = 1;
    /// Bass.
    pub const BASS: u8 = 2;
    /// Broken chords.
    pub const ARPEGGIO: u8 = 3;
    /// General MIDI percussion.
    pub const DRUMS: u8 = 9;
}

/// One note: when, how long (seconds from the start of the piece), where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    /// Start, seconds.
    pub start_s: f64,
    /// Length, seconds.
    pub dur_s: f64,
    /// MIDI channel.
    pub channel: u8,
    /// MIDI key.
    pub key: u8,
    /// MIDI velocity 1–127.
    pub velocity: u8,
}

/// Where a piece sits in a longer one (a scene of a score): what it
/// continues and whether more follows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Form {
    /// It continues earlier music: no intro.
    pub continues: bool,
    /// More music follows: no outro, and the bars run through the last sample.
    pub open_end: bool,
    /// Seconds from the piece's start to its first downbeat (0 ≤ x < a
    /// bar): the bar grid of the music it continues. Bar 0 is then the
    /// partial bar before that downbeat.
    pub first_downbeat_s: f64,
    /// Bars already played before this piece, so phrases go on where they were.
    pub bars_before: u64,
    /// The last chord's voicing before this piece (MIDI keys; voice leading
    /// goes on from it).
    pub voicing: Vec<u8>,
    /// The piece is a loop: whole bars, no intro or outro, its harmony
    /// starting on the tonic and coming back to it in the last bar, so the
    /// end leads into the start.
    pub looped: bool,
}

/// The composer's state between bars.
pub struct Composer {
    brief: Brief,
    seed: u64,
    /// 0–2.
    temperature: f32,
    /// Length of a beat, seconds.
    beat_s: f64,
    /// When the last notes end, seconds.
    end_s: f64,
    /// When bar 0 starts, seconds (≤ 0).
    offset_s: f64,
    bars_before: u64,
    open_end: bool,
    /// Whether the piece is a loop ([`Form::looped`]).
    pub(super) looped: bool,
    total_bars: u64,
    intro_bars: u64,
    outro_bars: u64,
    /// Progressions of the A and B sections (scale degrees, a chord a slot).
    prog_a: [u8; 4],
    prog_b: [u8; 4],
    /// The last chord's voicing (MIDI keys).
    voicing: Vec<u8>,
    /// The melody's last key (MIDI).
    melody_key: u8,
    /// Every scale note from C1 to C7 (MIDI keys, ascending).
    scale: Vec<u8>,
}

/// Mixes numbers into one seed (SplitMix64's finalizer).
fn mix(parts: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for &p in parts {
        h ^= p
            .wrapping_add(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(h << 6)
            .wrapping_add(h >> 2);
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
    }
    h
}

impl Composer {
    /// A composer for `brief` filling `music_s` seconds placed by `form`:
    /// whole bars (at least one), the last of which holds its chord to the
    /// end; or, for an open end, bars through the last sample. `temperature`
    /// is clamped to 0–2.
    pub fn new(brief: Brief, seed: u64, temperature: f32, music_s: f64, form: &Form) -> Self {
        let beat_s = 60.0 / f64::from(brief.tempo_bpm.clamp(40.0, 200.0));
        let bar_s = beat_s * f64::from(brief.beats_per_bar);
        let downbeat = form.first_downbeat_s.rem_euclid(bar_s);
        let offset_s = if form.continues && downbeat > 1e-6 {
            downbeat - bar_s
        } else {
            0.0
        };
        let span = (music_s - offset_s) / bar_s;
        let total_bars = if form.looped {
            span.round() as u64
        } else if form.open_end {
            span.ceil() as u64
        } else {
            span.floor() as u64
        }
        .max(1);
        let (prog_a, prog_b) = harmony::progressions_for(brief.mode, seed);
        Self {
            seed,
            temperature: temperature.clamp(0.0, 2.0),
            beat_s,
            end_s: music_s.max(bar_s),
            offset_s,
            bars_before: form.bars_before,
            open_end: form.open_end,
            looped: form.looped,
            total_bars,
            intro_bars: sections::intro_bars(form.continues || form.looped, total_bars),
            outro_bars: sections::outro_bars(form.open_end || form.looped, total_bars),
            prog_a,
            prog_b,
            voicing: form.voicing.clone(),
            melody_key: melody::first_key(brief.tonic),
            scale: melody::scale(brief.tonic, brief.mode),
            brief,
        }
    }

    /// Bars in the piece.
    pub fn total_bars(&self) -> u64 {
        self.total_bars
    }

    /// When the last notes end, seconds.
    pub fn end_s(&self) -> f64 {
        self.end_s
    }

    /// When bar 0 starts, seconds (negative when the piece begins mid-bar).
    pub fn offset_s(&self) -> f64 {
        self.offset_s
    }

    /// The voicing of the last chord composed (MIDI keys, lowest first).
    pub fn voicing(&self) -> &[u8] {
        &self.voicing
    }

    /// Seconds from `t_s` to the next downbeat at or after it.
    pub fn next_downbeat_after(&self, t_s: f64) -> f64 {
        let bar_s = self.bar_s();
        let k = ((t_s - self.offset_s) / bar_s).ceil();
        (self.offset_s + k * bar_s - t_s).max(0.0)
    }

    /// Bars played by the end of `t_s` seconds, counting those before the piece.
    pub fn bars_by(&self, t_s: f64) -> u64 {
        self.bars_before + ((t_s - self.offset_s) / self.bar_s()).ceil().max(0.0) as u64
    }

    /// The chord plan: the chord of every bar as a scale degree (0 = the
    /// tonic, 4 = the dominant), in order.
    pub fn chord_plan(&self) -> Vec<u8> {
        (0..self.total_bars).map(|b| self.degree(b)).collect()
    }

    /// Length of one bar, seconds.
    pub fn bar_s(&self) -> f64 {
        self.beat_s * f64::from(self.brief.beats_per_bar)
    }

    /// General MIDI programs per channel: (channel, program), both 0-based.
    pub fn programs(&self) -> [(u8, u8); 4] {
        let arp = match self.brief.style {
            Style::Arpeggio => self.brief.lead,
            _ => self.brief.harmony,
        };
        [
            (channel::LEAD, self.brief.lead),
            (channel::HARMONY, self.brief.harmony),
            (channel::BASS, self.brief.bass),
            (channel::ARPEGGIO, arp),
        ]
    }

    /// The notes of bar `bar` (0-based), in start order; none past the last
    /// bar or for an ambience-only brief. Bars are meant to be composed in
    /// order: each goes on from the previous one's voicing and melody.
    pub fn bar(&mut self, bar: u64) -> Vec<Note> {
        let mut notes = Vec::new();
        if bar >= self.total_bars || !self.brief.music {
            return notes;
        }
        let b = self.bar_context(bar);
        // One generator for the accompaniment and drums of the bar, drawn
        // from in this order; the melody has its own.
        let mut rng = fastrand::Rng::with_seed(mix(&[self.seed, 3, bar]));
        let voicing = self.voice_chord(&b.pcs);
        self.chords(&b, &voicing, &mut rng, &mut notes);
        self.broken_chords(&b, &voicing, &mut rng, &mut notes);
        self.bass(&b, &mut rng, &mut notes);
        self.melody(&b, &mut notes);
        self.drums(&b, &mut rng, &mut notes);
        notes.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::super::prompt::read;
    use super::*;

    #[test]
    fn same_seed_same_notes_and_every_note_ends_inside_the_piece() {
        let make = |seed| {
            let mut c = Composer::new(
                read("upbeat lo-fi groove"),
                seed,
                1.0,
                60.0,
                &Form::default(),
            );
            let end = c.end_s();
            let notes: Vec<Note> = (0..c.total_bars()).flat_map(|b| c.bar(b)).collect();
            assert!(notes
                .iter()
                .all(|n| n.start_s + n.dur_s <= end + 1e-6 && n.dur_s > 0.0));
            notes
        };
        assert_eq!(make(7), make(7));
        assert_ne!(make(7), make(8));
    }
}
