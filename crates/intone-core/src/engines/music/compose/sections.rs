//! The form of a piece: how many bars of intro and outro it has, which
//! section each bar is in (A A B A phrases of 8 bars, a breakdown every
//! eighth phrase) and how much energy each section plays with.

use super::Composer;

/// What part of the form a bar is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    /// Harmony and bass alone, before the first phrase.
    Intro,
    /// The main phrase (its motif repeats).
    A,
    /// The contrasting phrase (its own progression, a little louder).
    B,
    /// A lighter phrase: no kick or snare, no melody.
    Breakdown,
    /// Home to the tonic, thinning out.
    Outro,
}

impl Section {
    /// The energy (0–1) a bar `in_phrase` bars into this section plays with,
    /// from the brief's `energy`.
    pub(super) fn energy(self, energy: f32, in_phrase: u64) -> f32 {
        match self {
            Section::Intro => energy * 0.6,
            Section::Breakdown => energy * 0.7,
            Section::B => (energy * 1.15).min(1.0),
            Section::Outro => energy * (0.8 - 0.15 * in_phrase as f32).max(0.3),
            Section::A => energy,
        }
    }
}

/// Bars of intro in a piece of `total_bars` (none when it continues earlier
/// music).
pub(super) fn intro_bars(continues: bool, total_bars: u64) -> u64 {
    match (continues, total_bars) {
        (true, _) | (_, 0..=4) => 0,
        (_, 5..=16) => 1,
        (_, 17..=40) => 2,
        _ => 4,
    }
}

/// Bars of outro in a piece of `total_bars` (none when more music follows).
pub(super) fn outro_bars(open_end: bool, total_bars: u64) -> u64 {
    match (open_end, total_bars) {
        (true, _) => 0,
        (_, 0..=2) => 1,
        (_, 3..=16) => 2,
        _ => 4,
    }
    .min(total_bars)
}

impl Composer {
    /// The section of bar `bar`, the phrase it is in (counting the phrases
    /// played before the piece; 0 in the intro and outro) and its bar within
    /// that phrase or section (0-based).
    pub(super) fn section(&self, bar: u64) -> (Section, u64, u64) {
        if bar < self.intro_bars {
            return (Section::Intro, 0, bar);
        }
        if bar + self.outro_bars >= self.total_bars {
            return (Section::Outro, 0, bar + self.outro_bars - self.total_bars);
        }
        let b = bar + self.bars_before - self.intro_bars;
        let phrase = b / 8;
        let s = match phrase % 8 {
            2 | 6 => Section::B,
            7 => Section::Breakdown,
            _ => Section::A,
        };
        (s, phrase, b % 8)
    }
}
