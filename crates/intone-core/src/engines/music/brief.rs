//! What a prompt asks the built-in composer for: a [`Brief`] (tempo, key,
//! meter, how the parts move, which General MIDI instruments play them,
//! energy, swing and ambiences), the scales and styles it names, and which
//! of its parts the prompt itself named.

use serde::{Deserialize, Serialize};

/// The scale a piece is in.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Ionian.
    Major,
    /// Aeolian (natural minor).
    Minor,
    /// Minor with a raised sixth.
    Dorian,
    /// Major with a raised fourth.
    Lydian,
}

impl Mode {
    /// The lowercase name ("major", "minor", "dorian", "lydian").
    pub fn name(self) -> &'static str {
        match self {
            Self::Major => "major",
            Self::Minor => "minor",
            Self::Dorian => "dorian",
            Self::Lydian => "lydian",
        }
    }

    /// Semitones of the seven degrees above the tonic.
    pub fn steps(self) -> [u8; 7] {
        match self {
            Self::Major => [0, 2, 4, 5, 7, 9, 11],
            Self::Minor => [0, 2, 3, 5, 7, 8, 10],
            Self::Dorian => [0, 2, 3, 5, 7, 9, 10],
            Self::Lydian => [0, 2, 4, 6, 7, 9, 11],
        }
    }
}

/// How the parts move.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// Long held chords, sparse melody (ambient, meditation, drone).
    Sustained,
    /// Broken chords in steady notes (piano, harp, lullaby).
    Arpeggio,
    /// Chords struck on the beat with a melody (folk, cinematic).
    Comping,
    /// Drums, bass line and chords on a groove (lo-fi, upbeat, electronic).
    Groove,
}

/// A procedural ambience layered under (or instead of) the music.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ambience {
    /// Rain on leaves and roofs.
    Rain,
    /// Ocean waves.
    Ocean,
    /// Wind through trees.
    Wind,
    /// A summer night: crickets over a soft hush.
    Night,
}

/// What a prompt asks for, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// Beats per minute (the composer clamps it to 40–200).
    pub tempo_bpm: f32,
    /// Tonic pitch class (0 = C … 11 = B).
    pub tonic: u8,
    /// Scale.
    pub mode: Mode,
    /// Beats per bar (3 or 4).
    pub beats_per_bar: u8,
    /// How the parts move.
    pub style: Style,
    /// Lead (melody) program: General MIDI, 0-based (0 = piano).
    pub lead: u8,
    /// Harmony (chords/pad) program, General MIDI, 0-based.
    pub harmony: u8,
    /// Bass program, General MIDI, 0-based.
    pub bass: u8,
    /// Whether a drum kit plays.
    pub drums: bool,
    /// Whether the lead plays a melody (a drone has none).
    pub melody: bool,
    /// Whether the music plays at all (an ambience-only prompt has none).
    pub music: bool,
    /// 0 (still) … 1 (driving): note density and velocity.
    pub energy: f32,
    /// Swing of off-beat eighths, 0 (straight) … 0.33 (triplet feel).
    pub swing: f32,
    /// Ambiences, in the order named.
    pub ambience: Vec<Ambience>,
    /// The vocabulary words found in the prompt, in order (keys and
    /// tempos as "D minor", "in F#", "70 bpm").
    pub understood: Vec<String>,
    /// Which parts of the brief the prompt named (the rest are defaults,
    /// which a scene replaces with what the scene before it played).
    #[serde(default)]
    pub given: Given,
}

/// Which parts of a [`Brief`] its prompt named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    /// A key ("D minor", "in F#").
    pub tonic: bool,
    /// A mode, by a key or a mood.
    pub mode: bool,
    /// A tempo, by number, tempo word, mood or genre.
    pub tempo: bool,
    /// A meter (waltz).
    pub meter: bool,
    /// Instruments or a genre (lead, harmony, bass, drums, style).
    pub parts: bool,
    /// Drums or percussion alone (added to the parts played before).
    pub drums: bool,
}
