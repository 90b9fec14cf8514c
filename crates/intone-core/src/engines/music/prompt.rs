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
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '#' || c == '-' || c == '♯' || c == '♭'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut b = Brief {
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
    };
    let (mut tempo_set, mut key_set, mut genre_set, mut musical) = (false, false, false, false);
    let mut mood_tempo = None;
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let next = words.get(i + 1).copied();
        // "70 bpm" / "70bpm"
        let bpm = w
            .strip_suffix("bpm")
            .filter(|n| !n.is_empty())
            .or_else(|| (next == Some("bpm")).then_some(w));
        if let Some(n) = bpm.and_then(|n| n.parse::<f32>().ok()) {
            b.tempo_bpm = n.clamp(40.0, 200.0);
            tempo_set = true;
            b.given.tempo = true;
            musical = true;
            b.understood.push(format!("{} bpm", b.tempo_bpm.round()));
            i += if w.ends_with("bpm") { 1 } else { 2 };
            continue;
        }
        // "D minor", "F# major", "E dorian", "in Bb"
        let key_word = if w == "in" { next } else { Some(w) };
        if let Some(pc) = key_word.and_then(pitch_class) {
            let after = if w == "in" {
                words.get(i + 2)
            } else {
                next.as_ref()
            };
            let mode = match after.copied() {
                Some("major") => Some(Mode::Major),
                Some("minor") => Some(Mode::Minor),
                Some("dorian") => Some(Mode::Dorian),
                Some("lydian") => Some(Mode::Lydian),
                _ => None,
            };
            // "in a …" is English unless a mode follows ("in a minor").
            if mode.is_some() || (w == "in" && key_word != Some("a")) {
                b.tonic = pc;
                b.given.tonic = true;
                if let Some(m) = mode {
                    b.mode = m;
                    b.given.mode = true;
                }
                key_set = true;
                musical = true;
                let name = key_word.unwrap_or_default().to_uppercase();
                b.understood.push(match mode {
                    Some(m) => format!("{name} {}", m.name()),
                    None => format!("in {name}"),
                });
                i += 1 + usize::from(w == "in") + usize::from(mode.is_some());
                continue;
            }
        }
        if let Some((word, _, effect)) = table().iter().find(|(t, _, _)| *t == w) {
            b.understood.push((*word).to_string());
            match *effect {
                Effect::Mood {
                    mode,
                    tempo,
                    energy,
                } => {
                    if !key_set {
                        b.mode = mode;
                        b.given.mode = true;
                    }
                    mood_tempo = Some(tempo);
                    b.given.tempo = true;
                    b.energy = energy;
                    musical = true;
                }
                Effect::Genre {
                    style,
                    tempo,
                    lead,
                    harmony,
                    drums,
                    swing,
                } => {
                    b.style = style;
                    if !tempo_set {
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
                    genre_set = true;
                    musical = true;
                }
                Effect::Instrument(p) => {
                    b.lead = p;
                    b.given.parts = true;
                    musical = true;
                }
                Effect::Bass(p) => {
                    b.bass = p;
                    b.given.parts = true;
                    musical = true;
                }
                Effect::Drums => {
                    b.drums = true;
                    b.given.drums = true;
                    if b.style == Style::Sustained {
                        b.style = Style::Groove;
                    }
                    musical = true;
                }
                Effect::Tempo(t) => {
                    b.tempo_bpm = t;
                    tempo_set = true;
                    b.given.tempo = true;
                    musical = true;
                }
                Effect::Amb(a) => {
                    if !b.ambience.contains(&a) {
                        b.ambience.push(a);
                    }
                }
                Effect::Drone => {
                    b.style = Style::Sustained;
                    b.melody = false;
                    b.harmony = gm::HALO_PAD;
                    b.lead = gm::WARM_PAD;
                    if !tempo_set {
                        b.tempo_bpm = 48.0;
                    }
                    b.given.tempo = true;
                    b.given.parts = true;
                    genre_set = true;
                    musical = true;
                }
                Effect::Waltz => {
                    b.beats_per_bar = 3;
                    b.given.meter = true;
                    musical = true;
                }
            }
        }
        i += 1;
    }
    if !tempo_set {
        if let Some(t) = mood_tempo {
            // A genre's tempo and a mood's meet in the middle.
            b.tempo_bpm = if genre_set {
                (b.tempo_bpm + t) / 2.0
            } else {
                t
            };
        }
    }
    if !key_set {
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
    b.music = musical || b.ambience.is_empty();
    b
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
