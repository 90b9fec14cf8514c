//! Reading a prompt against the built-in composer's vocabulary: moods,
//! genres, instruments, tempo words and numbers ("70 bpm"), keys
//! ("D minor", "in F#"), and ambience words. Words outside the vocabulary
//! are ignored; the ones understood are reported back with the take.
//!
//! The types a prompt is read into live in `brief` and the words in
//! `vocabulary`; both are re-exported here, where the rest of the crate
//! has always found them.

pub use super::brief::{Ambience, Brief, Given, Mode, Style};
use super::vocabulary::{gm, pitch_class, table, Effect};
pub use super::vocabulary::{vocabulary, VocabWord};

/// Reads `prompt` (case-insensitive) into a [`Brief`]. Later words win over
/// earlier ones of the same kind; an explicit tempo ("70 bpm", clamped to
/// 40–200) or key beats what a mood implies. A prompt with no musical words
/// but an ambience word makes ambience alone.
pub fn read(prompt: &str) -> Brief {
    let lower = prompt.to_lowercase();
    let words = words(&lower);
    let mut r = Reader::new();
    let mut i = 0;
    while i < words.len() {
        i += if let Some(used) = r.tempo(&words, i) {
            used
        } else if let Some(used) = r.key(&words, i) {
            used
        } else {
            r.word(words[i]);
            1
        };
    }
    r.finish()
}

/// The words of a lowercased prompt: runs of letters, digits, `#`, `-`,
/// `♯` and `♭`.
fn words(lower: &str) -> Vec<&str> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '#' || c == '-' || c == '♯' || c == '♭'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// A brief being read, word by word, and what the words so far have set.
struct Reader {
    b: Brief,
    /// A tempo was given by number or tempo word (a genre's or mood's
    /// tempo no longer applies).
    tempo_set: bool,
    /// A key was given (a mood's mode no longer applies).
    key_set: bool,
    /// A genre (or drone) was named: a mood's tempo meets its tempo halfway.
    genre_set: bool,
    /// Some word was about the music (not only ambience).
    musical: bool,
    /// The tempo of the last mood named, bpm.
    mood_tempo: Option<f32>,
}

impl Reader {
    /// Nothing read yet: the defaults (72 bpm, C major, 4/4, piano over a
    /// warm pad, broken chords, no drums).
    fn new() -> Self {
        Self {
            b: Brief {
                tempo_bpm: 72.0,
                tonic: 0,
                mode: Mode::Major,
                beats_per_bar: 4,
                style: Style::Arpeggio,
                lead: gm::PIANO,
                harmony: gm::WARM_PAD,
                bass: gm::ACOUSTIC_BASS,
                drums: false,
                melody: true,
                music: true,
                energy: 0.35,
                swing: 0.0,
                ambience: Vec::new(),
                understood: Vec::new(),
                given: Given::default(),
            },
            tempo_set: false,
            key_set: false,
            genre_set: false,
            musical: false,
            mood_tempo: None,
        }
    }

    /// A tempo at `words[i]`: "70 bpm" or "70bpm". Returns the words it
    /// takes, or `None` when there is none.
    fn tempo(&mut self, words: &[&str], i: usize) -> Option<usize> {
        let w = words[i];
        let next = words.get(i + 1).copied();
        let bpm = w
            .strip_suffix("bpm")
            .filter(|n| !n.is_empty())
            .or_else(|| (next == Some("bpm")).then_some(w));
        let n = bpm.and_then(|n| n.parse::<f32>().ok())?;
        let b = &mut self.b;
        b.tempo_bpm = n.clamp(40.0, 200.0);
        self.tempo_set = true;
        b.given.tempo = true;
        self.musical = true;
        b.understood.push(format!("{} bpm", b.tempo_bpm.round()));
        Some(if w.ends_with("bpm") { 1 } else { 2 })
    }

    /// A key at `words[i]`: "D minor", "F# major", "E dorian", "in Bb".
    /// Returns the words it takes, or `None` when there is none.
    fn key(&mut self, words: &[&str], i: usize) -> Option<usize> {
        let w = words[i];
        let is_in = w == "in";
        let key_word = if is_in {
            words.get(i + 1).copied()
        } else {
            Some(w)
        };
        let pc = key_word.and_then(pitch_class)?;
        let mode = match words.get(i + 1 + usize::from(is_in)).copied() {
            Some("major") => Some(Mode::Major),
            Some("minor") => Some(Mode::Minor),
            Some("dorian") => Some(Mode::Dorian),
            Some("lydian") => Some(Mode::Lydian),
            _ => None,
        };
        // "in a …" is English unless a mode follows ("in a minor").
        if mode.is_none() && !(is_in && key_word != Some("a")) {
            return None;
        }
        let b = &mut self.b;
        b.tonic = pc;
        b.given.tonic = true;
        if let Some(m) = mode {
            b.mode = m;
            b.given.mode = true;
        }
        self.key_set = true;
        self.musical = true;
        let name = key_word.unwrap_or_default().to_uppercase();
        b.understood.push(match mode {
            Some(m) => format!("{name} {}", m.name()),
            None => format!("in {name}"),
        });
        Some(1 + usize::from(is_in) + usize::from(mode.is_some()))
    }

    /// One word: what it sets if it is in the vocabulary (else nothing).
    fn word(&mut self, w: &str) {
        if let Some((word, _, effect)) = table().iter().find(|(t, _, _)| *t == w) {
            self.b.understood.push((*word).to_string());
            self.apply(*effect);
        }
    }

    /// Sets what a vocabulary word sets.
    fn apply(&mut self, effect: Effect) {
        let b = &mut self.b;
        match effect {
            Effect::Mood {
                mode,
                tempo,
                energy,
            } => {
                if !self.key_set {
                    b.mode = mode;
                    b.given.mode = true;
                }
                self.mood_tempo = Some(tempo);
                b.given.tempo = true;
                b.energy = energy;
                self.musical = true;
            }
            Effect::Genre {
                style,
                tempo,
                lead,
                harmony,
                drums,
                swing,
            } => self.genre(style, tempo, lead, harmony, drums, swing),
            Effect::Instrument(p) => {
                b.lead = p;
                b.given.parts = true;
                self.musical = true;
            }
            Effect::Bass(p) => {
                b.bass = p;
                b.given.parts = true;
                self.musical = true;
            }
            Effect::Drums => {
                b.drums = true;
                b.given.drums = true;
                if b.style == Style::Sustained {
                    b.style = Style::Groove;
                }
                self.musical = true;
            }
            Effect::Tempo(t) => {
                b.tempo_bpm = t;
                self.tempo_set = true;
                b.given.tempo = true;
                self.musical = true;
            }
            Effect::Amb(a) => {
                if !b.ambience.contains(&a) {
                    b.ambience.push(a);
                }
            }
            Effect::Drone => self.drone(),
            Effect::Waltz => {
                b.beats_per_bar = 3;
                b.given.meter = true;
                self.musical = true;
            }
        }
    }

    /// A genre: its style, tempo (unless one was given), instruments
    /// (General MIDI programs), drums and swing.
    fn genre(&mut self, style: Style, tempo: f32, lead: u8, harmony: u8, drums: bool, swing: f32) {
        let b = &mut self.b;
        b.style = style;
        if !self.tempo_set {
            b.tempo_bpm = tempo;
        }
        b.lead = lead;
        b.harmony = harmony;
        b.drums = drums;
        b.swing = swing;
        if style == Style::Groove {
            b.bass = gm::FINGER_BASS;
        }
        b.given.tempo = true;
        b.given.parts = true;
        self.genre_set = true;
        self.musical = true;
    }

    /// A drone: held pads, no melody, slow (unless a tempo was given).
    fn drone(&mut self) {
        let b = &mut self.b;
        b.style = Style::Sustained;
        b.melody = false;
        b.harmony = gm::HALO_PAD;
        b.lead = gm::WARM_PAD;
        if !self.tempo_set {
            b.tempo_bpm = 48.0;
        }
        b.given.tempo = true;
        b.given.parts = true;
        self.genre_set = true;
        self.musical = true;
    }

    /// The brief, with what no word set filled in: a mood's tempo (halfway
    /// to a genre's), a key that suits the mode, calm energy for sustained
    /// styles, and whether music plays at all.
    fn finish(self) -> Brief {
        let mut b = self.b;
        if !self.tempo_set {
            if let Some(t) = self.mood_tempo {
                // A genre's tempo and a mood's meet in the middle.
                b.tempo_bpm = if self.genre_set {
                    (b.tempo_bpm + t) / 2.0
                } else {
                    t
                };
            }
        }
        if !self.key_set {
            // Keys that sit well for the instruments: A minor, C/F/G major, D dorian.
            b.tonic = match b.mode {
                Mode::Minor => 9,
                Mode::Dorian => 2,
                Mode::Lydian => 5,
                Mode::Major => 0,
            };
        }
        if b.style == Style::Sustained {
            b.energy = b.energy.min(0.4);
        }
        b.music = self.musical || b.ambience.is_empty();
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tempo_key_and_words_are_read() {
        let b = read("Calm piano, slow, warm — in D minor, 70 BPM with rain");
        assert_eq!(b.tempo_bpm, 70.0);
        assert_eq!((b.tonic, b.mode), (2, Mode::Minor));
        assert_eq!(b.ambience, vec![Ambience::Rain]);
        assert_eq!(
            b.understood,
            ["calm", "piano", "slow", "warm", "D minor", "70 bpm", "rain"]
        );
        let g = read("upbeat lo-fi groove");
        assert!(g.drums && g.style == Style::Groove && g.tempo_bpm > 100.0);
        let a = read("rain and wind");
        assert!(!a.music && a.ambience == vec![Ambience::Rain, Ambience::Wind]);
        assert!(read("something unknown").music);
        assert_eq!(read("waltz in F#").beats_per_bar, 3);
        assert_eq!(read("in F#").tonic, 6);
    }
}
