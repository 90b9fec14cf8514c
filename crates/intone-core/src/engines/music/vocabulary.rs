//! The built-in composer's vocabulary: every word it understands and what
//! each sets (mood, genre, instrument, tempo, ambience), the General MIDI
//! programs the words choose, and the note names keys are written with.

use serde::{Deserialize, Serialize};

use super::brief::{Ambience, Mode, Style};

/// One word of the vocabulary, for the UI's suggestions.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocabWord {
    /// The word as typed.
    pub word: String,
    /// mood, genre, instrument, tempo, key or ambience.
    pub category: String,
}

/// What one word sets.
#[derive(Clone, Copy)]
pub(super) enum Effect {
    /// A mood: its mode (unless a key names one), tempo (bpm, unless one
    /// is given; halfway to a genre's) and energy (0–1).
    Mood { mode: Mode, tempo: f32, energy: f32 },
    /// A genre: how the parts move, tempo (bpm), lead and harmony General
    /// MIDI programs, drums, and swing (0–0.33).
    Genre {
        style: Style,
        tempo: f32,
        lead: u8,
        harmony: u8,
        drums: bool,
        swing: f32,
    },
    /// The lead's General MIDI program.
    Instrument(u8),
    /// The bass's General MIDI program.
    Bass(u8),
    /// Drums join in.
    Drums,
    /// A tempo word, bpm.
    Tempo(f32),
    /// An ambience.
    Amb(Ambience),
    /// Held pads, no melody, slow.
    Drone,
    /// Three beats a bar.
    Waltz,
}

/// General MIDI program numbers (0-based) used by the vocabulary.
pub(super) mod gm {
    pub const PIANO: u8 = 0;
    pub const EPIANO: u8 = 4;
    pub const CELESTA: u8 = 8;
    pub const VIBES: u8 = 11;
    pub const MARIMBA: u8 = 12;
    pub const ORGAN: u8 = 19;
    pub const GUITAR: u8 = 24;
    pub const ACOUSTIC_BASS: u8 = 32;
    pub const FINGER_BASS: u8 = 33;
    pub const SYNTH_BASS: u8 = 38;
    pub const STRINGS: u8 = 48;
    pub const SLOW_STRINGS: u8 = 49;
    pub const CHOIR: u8 = 52;
    pub const CELLO: u8 = 42;
    pub const HARP: u8 = 46;
    pub const FLUTE: u8 = 73;
    pub const SQUARE_LEAD: u8 = 80;
    pub const WARM_PAD: u8 = 89;
    pub const HALO_PAD: u8 = 94;
    pub const SPACE_PAD: u8 = 91;
}

/// The vocabulary: every word the composer understands, its category
/// (mood, genre, instrument, tempo or ambience) and what it sets.
pub(super) fn table() -> &'static [(&'static str, &'static str, Effect)] {
    words::TABLE
}

/// The vocabulary's table, with the shorthands it is written in.
mod words {
    use super::{gm, Ambience, Effect, Mode, Style};
    use Effect::*;
    use Mode::*;
    use Style::*;
    const fn mood(mode: Mode, tempo: f32, energy: f32) -> Effect {
        Mood {
            mode,
            tempo,
            energy,
        }
    }
    const fn genre(
        style: Style,
        tempo: f32,
        lead: u8,
        harmony: u8,
        drums: bool,
        swing: f32,
    ) -> Effect {
        Genre {
            style,
            tempo,
            lead,
            harmony,
            drums,
            swing,
        }
    }
    pub(super) static TABLE: &[(&str, &str, Effect)] = &[
        ("calm", "mood", mood(Major, 66.0, 0.25)),
        ("peaceful", "mood", mood(Major, 62.0, 0.2)),
        ("relaxing", "mood", mood(Major, 66.0, 0.25)),
        ("warm", "mood", mood(Major, 72.0, 0.35)),
        ("gentle", "mood", mood(Major, 68.0, 0.25)),
        ("dreamy", "mood", mood(Lydian, 64.0, 0.25)),
        ("hopeful", "mood", mood(Major, 84.0, 0.5)),
        ("uplifting", "mood", mood(Major, 100.0, 0.65)),
        ("happy", "mood", mood(Major, 108.0, 0.65)),
        ("bright", "mood", mood(Lydian, 100.0, 0.6)),
        ("sad", "mood", mood(Minor, 60.0, 0.25)),
        ("melancholic", "mood", mood(Minor, 64.0, 0.3)),
        ("dark", "mood", mood(Minor, 70.0, 0.4)),
        ("mysterious", "mood", mood(Dorian, 72.0, 0.35)),
        ("tense", "mood", mood(Minor, 96.0, 0.7)),
        ("epic", "mood", mood(Minor, 90.0, 0.85)),
        ("romantic", "mood", mood(Major, 70.0, 0.4)),
        ("nostalgic", "mood", mood(Dorian, 76.0, 0.4)),
        ("energetic", "mood", mood(Major, 124.0, 0.9)),
        ("lively", "mood", mood(Major, 112.0, 0.75)),
        ("busy", "mood", mood(Major, 116.0, 0.75)),
        (
            "ambient",
            "genre",
            genre(Sustained, 60.0, gm::WARM_PAD, gm::WARM_PAD, false, 0.0),
        ),
        (
            "meditation",
            "genre",
            genre(Sustained, 56.0, gm::CELESTA, gm::HALO_PAD, false, 0.0),
        ),
        (
            "sleep",
            "genre",
            genre(Sustained, 52.0, gm::HARP, gm::WARM_PAD, false, 0.0),
        ),
        (
            "lullaby",
            "genre",
            genre(Arpeggio, 60.0, gm::CELESTA, gm::HARP, false, 0.0),
        ),
        (
            "piano",
            "genre",
            genre(Arpeggio, 72.0, gm::PIANO, gm::PIANO, false, 0.0),
        ),
        (
            "cinematic",
            "genre",
            genre(Comping, 80.0, gm::STRINGS, gm::SLOW_STRINGS, false, 0.0),
        ),
        (
            "orchestral",
            "genre",
            genre(Comping, 84.0, gm::FLUTE, gm::STRINGS, false, 0.0),
        ),
        (
            "folk",
            "genre",
            genre(Comping, 96.0, gm::FLUTE, gm::GUITAR, false, 0.0),
        ),
        (
            "lo-fi",
            "genre",
            genre(Groove, 78.0, gm::EPIANO, gm::EPIANO, true, 0.22),
        ),
        (
            "lofi",
            "genre",
            genre(Groove, 78.0, gm::EPIANO, gm::EPIANO, true, 0.22),
        ),
        (
            "jazz",
            "genre",
            genre(Groove, 92.0, gm::VIBES, gm::EPIANO, true, 0.3),
        ),
        (
            "chill",
            "genre",
            genre(Groove, 84.0, gm::EPIANO, gm::WARM_PAD, true, 0.12),
        ),
        (
            "groove",
            "genre",
            genre(Groove, 112.0, gm::EPIANO, gm::EPIANO, true, 0.0),
        ),
        (
            "upbeat",
            "genre",
            genre(Groove, 120.0, gm::MARIMBA, gm::PIANO, true, 0.0),
        ),
        (
            "electronic",
            "genre",
            genre(Groove, 118.0, gm::SQUARE_LEAD, gm::SPACE_PAD, true, 0.0),
        ),
        (
            "pop",
            "genre",
            genre(Groove, 110.0, gm::PIANO, gm::PIANO, true, 0.0),
        ),
        ("drone", "genre", Drone),
        ("waltz", "genre", Waltz),
        ("rhodes", "instrument", Instrument(gm::EPIANO)),
        ("strings", "instrument", Instrument(gm::STRINGS)),
        ("pad", "instrument", Instrument(gm::WARM_PAD)),
        ("pads", "instrument", Instrument(gm::WARM_PAD)),
        ("guitar", "instrument", Instrument(gm::GUITAR)),
        ("harp", "instrument", Instrument(gm::HARP)),
        ("flute", "instrument", Instrument(gm::FLUTE)),
        ("cello", "instrument", Instrument(gm::CELLO)),
        ("bells", "instrument", Instrument(gm::CELESTA)),
        ("celesta", "instrument", Instrument(gm::CELESTA)),
        ("choir", "instrument", Instrument(gm::CHOIR)),
        ("organ", "instrument", Instrument(gm::ORGAN)),
        ("marimba", "instrument", Instrument(gm::MARIMBA)),
        ("vibraphone", "instrument", Instrument(gm::VIBES)),
        ("synth", "instrument", Instrument(gm::SQUARE_LEAD)),
        ("bass", "instrument", Bass(gm::FINGER_BASS)),
        ("upright", "instrument", Bass(gm::ACOUSTIC_BASS)),
        ("808", "instrument", Bass(gm::SYNTH_BASS)),
        ("drums", "instrument", Drums),
        ("beat", "instrument", Drums),
        ("percussion", "instrument", Drums),
        ("slow", "tempo", Tempo(62.0)),
        ("slower", "tempo", Tempo(56.0)),
        ("moderate", "tempo", Tempo(90.0)),
        ("fast", "tempo", Tempo(128.0)),
        ("quick", "tempo", Tempo(120.0)),
        ("rain", "ambience", Amb(self::Ambience::Rain)),
        ("rainy", "ambience", Amb(self::Ambience::Rain)),
        ("ocean", "ambience", Amb(self::Ambience::Ocean)),
        ("waves", "ambience", Amb(self::Ambience::Ocean)),
        ("sea", "ambience", Amb(self::Ambience::Ocean)),
        ("wind", "ambience", Amb(self::Ambience::Wind)),
        ("windy", "ambience", Amb(self::Ambience::Wind)),
        ("night", "ambience", Amb(self::Ambience::Night)),
        ("crickets", "ambience", Amb(self::Ambience::Night)),
    ];
}

/// Pitch-class names a key may be written with.
const NOTE_NAMES: [(&str, u8); 17] = [
    ("c", 0),
    ("c#", 1),
    ("db", 1),
    ("d", 2),
    ("d#", 3),
    ("eb", 3),
    ("e", 4),
    ("f", 5),
    ("f#", 6),
    ("gb", 6),
    ("g", 7),
    ("g#", 8),
    ("ab", 8),
    ("a", 9),
    ("a#", 10),
    ("bb", 10),
    ("b", 11),
];

/// The pitch class (0 = C … 11 = B) a lowercase note name stands for
/// ("d", "f#", "bb", "c♯", "e♭"), if it is one.
pub(super) fn pitch_class(word: &str) -> Option<u8> {
    let w = word.replace('♯', "#").replace('♭', "b");
    NOTE_NAMES.iter().find(|(n, _)| *n == w).map(|(_, p)| *p)
}

/// Every word of the vocabulary with its category, plus the key and tempo
/// forms ("D minor", "in F#", "70 bpm"), for the UI's suggestions.
pub fn vocabulary() -> Vec<VocabWord> {
    let mut v: Vec<VocabWord> = table()
        .iter()
        .map(|(w, c, _)| VocabWord {
            word: (*w).to_string(),
            category: (*c).to_string(),
        })
        .collect();
    for w in ["70 bpm", "120 bpm"] {
        v.push(VocabWord {
            word: w.into(),
            category: "tempo".into(),
        });
    }
    for w in [
        "C major", "A minor", "D minor", "F major", "E dorian", "G lydian",
    ] {
        v.push(VocabWord {
            word: w.into(),
            category: "key".into(),
        });
    }
    v
}
