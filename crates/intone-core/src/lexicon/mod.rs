//! A pronunciation lexicon: how a word or phrase is said.
//!
//! An [`Entry`] gives a **respelling** (`Nguyen` → `Win`), which every
//! engine can speak, and/or **phonemes**, in IPA or in espeak-ng's phoneme
//! mnemonics ([`Alphabet`]), for engines that take phonemes (espeak-ng,
//! and Piper, which speaks from espeak-ng's IPA). It matches a whole word
//! (or phrase) by default, without case unless asked.
//!
//! [`Lexicon::apply`] rewrites an utterance for one engine: a phoneme entry
//! the engine takes stays written and marks its span ([`PhonemeSpan`]); any
//! other entry is respelled; an entry with phonemes the engine cannot take
//! and no respelling is left as written and reported. The global lexicon
//! (scope `""`) and a project's are kept in the store; project entries
//! override global ones word by word ([`Lexicon::overlaid`]).

mod file;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use file::{parse as parse_file_text, Format};

/// Longest word or phrase an entry may match, characters.
const MAX_WORD_CHARS: usize = 100;
/// Longest respelling or phoneme string, characters.
const MAX_SAID_CHARS: usize = 400;

/// How an entry's phonemes are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Alphabet {
    /// The International Phonetic Alphabet, as espeak-ng writes it (`wˈɪn`).
    #[default]
    Ipa,
    /// espeak-ng's phoneme mnemonics (`w'In`), as in its `[[…]]` input.
    Espeak,
}

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Entry {
    /// The word or phrase as written in scripts.
    pub word: String,
    /// How to write it so that any engine says it right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respell: Option<String>,
    /// Its phonemes, for engines that take them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phonemes: Option<String>,
    /// How [`Entry::phonemes`] is written.
    #[serde(default)]
    pub alphabet: Alphabet,
    /// Match only the whole word (not inside a longer one). Default on.
    #[serde(default = "yes")]
    pub whole_word: bool,
    /// Match the case as written. Default off.
    #[serde(default)]
    pub case_sensitive: bool,
}

fn yes() -> bool {
    true
}

impl Entry {
    /// Checks the entry's shape.
    ///
    /// # Errors
    /// [`Error::Config`] naming the entry: no word, neither a respelling nor
    /// phonemes, or a field too long.
    pub fn check(&self) -> Result<()> {
        let bad = |m: &str| Error::Config(format!("lexicon entry \"{}\": {m}", self.word));
        let word = self.word.trim();
        if word.is_empty() {
            return Err(Error::Config("a lexicon entry needs a word".into()));
        }
        if word.chars().count() > MAX_WORD_CHARS {
            return Err(bad("the word is too long"));
        }
        fn said(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        if said(&self.respell).is_none() && said(&self.phonemes).is_none() {
            return Err(bad("give a respelling, phonemes, or both"));
        }
        for s in [&self.respell, &self.phonemes].into_iter().flatten() {
            if s.chars().count() > MAX_SAID_CHARS {
                return Err(bad("the respelling or phonemes are too long"));
            }
            if s.contains(['[', ']', '\n']) {
                return Err(bad(
                    "respellings and phonemes cannot hold [ ] or line breaks",
                ));
            }
        }
        if self.alphabet == Alphabet::Espeak && !self.phonemes.as_deref().unwrap_or("").is_ascii() {
            return Err(bad(
                "espeak-ng's phoneme mnemonics are ASCII (e.g. w'In); use the IPA alphabet for IPA",
            ));
        }
        Ok(())
    }

    /// Byte ranges where the entry matches in `text`.
    fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let word = self.word.trim();
        let (hay, needle) = if self.case_sensitive {
            (text.to_string(), word.to_string())
        } else {
            (lower_same_len(text), lower_same_len(word))
        };
        let mut out = Vec::new();
        if needle.is_empty() {
            return out;
        }
        let mut from = 0;
        while let Some(rel) = hay.get(from..).and_then(|h| h.find(&needle)) {
            let (a, b) = (from + rel, from + rel + needle.len());
            let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '\'');
            if !self.whole_word
                || (edge(text[..a].chars().last()) && edge(text[b..].chars().next()))
            {
                out.push((a, b));
            }
            from = b.max(a + 1);
            while from < hay.len() && !hay.is_char_boundary(from) {
                from += 1;
            }
        }
        out
    }
}

/// `s` lowercased where that keeps every character's byte length (so byte
/// offsets in it are offsets in `s`).
fn lower_same_len(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => x,
                _ => c,
            }
        })
        .collect()
}

/// Phonemes for a span of an utterance's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhonemeSpan {
    /// Byte range of the written word in the utterance's text.
    pub start: usize,
    /// End of the range (exclusive).
    pub end: usize,
    /// The phonemes to say instead.
    pub phonemes: String,
    /// How they are written.
    pub alphabet: Alphabet,
}

/// An utterance rewritten for one engine by [`Lexicon::apply`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// The text to send (respellings substituted).
    pub text: String,
    /// Phonemes for spans of `text`.
    pub phonemes: Vec<PhonemeSpan>,
    /// Entries whose phonemes the engine cannot take and that have no
    /// respelling: their words were left as written.
    pub unsupported: Vec<String>,
}

/// A set of entries, one per word.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Lexicon {
    /// The entries, in word order.
    pub entries: Vec<Entry>,
}

impl Lexicon {
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// This lexicon with `over`'s entries replacing its own for the same word
    /// (compared without case) and the others added.
    pub fn overlaid(&self, over: &Lexicon) -> Lexicon {
        let mut entries: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| {
                !over
                    .entries
                    .iter()
                    .any(|o| o.word.to_lowercase() == e.word.to_lowercase())
            })
            .cloned()
            .collect();
        entries.extend(over.entries.iter().cloned());
        entries.sort_by_key(|e| e.word.to_lowercase());
        Lexicon { entries }
    }

    /// Non-overlapping matches in `text`, left to right; at one place the
    /// longest entry wins.
    fn matches<'a>(&'a self, text: &str) -> Vec<(usize, usize, &'a Entry)> {
        let mut all: Vec<(usize, usize, &Entry)> = self
            .entries
            .iter()
            .flat_map(|e| e.matches(text).into_iter().map(move |(a, b)| (a, b, e)))
            .collect();
        all.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
        let mut out: Vec<(usize, usize, &Entry)> = Vec::new();
        for m in all {
            if out.last().is_none_or(|l| m.0 >= l.1) {
                out.push(m);
            }
        }
        out
    }

    /// The entries that match somewhere in `text`.
    /// (Each once, in the lexicon's order.)
    pub fn touching(&self, text: &str) -> Vec<&Entry> {
        let found: Vec<&Entry> = self.matches(text).into_iter().map(|m| m.2).collect();
        self.entries
            .iter()
            .filter(|e| found.iter().any(|f| std::ptr::eq(*f, *e)))
            .collect()
    }

    /// The entries that match somewhere in `text`, as a lexicon (what a
    /// speech track keeps in its recipe).
    pub fn touching_lexicon(&self, text: &str) -> Lexicon {
        Lexicon {
            entries: self.touching(text).into_iter().cloned().collect(),
        }
    }

    /// The entry for `word` (compared without case), if any.
    pub fn get(&self, word: &str) -> Option<&Entry> {
        let w = word.trim().to_lowercase();
        self.entries
            .iter()
            .find(|e| e.word.trim().to_lowercase() == w)
    }

    /// `text` rewritten for an engine that takes phonemes in `alphabets`
    /// (see the module docs).
    pub fn apply(&self, text: &str, alphabets: &[Alphabet]) -> Applied {
        let mut out = Applied::default();
        let mut at = 0;
        for (a, b, e) in self.matches(text) {
            out.text.push_str(&text[at..a]);
            let phonemes = e
                .phonemes
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty() && alphabets.contains(&e.alphabet));
            match (phonemes, e.respell.as_deref().map(str::trim)) {
                (Some(p), _) => {
                    let start = out.text.len();
                    out.text.push_str(&text[a..b]);
                    out.phonemes.push(PhonemeSpan {
                        start,
                        end: out.text.len(),
                        phonemes: p.to_string(),
                        alphabet: e.alphabet,
                    });
                }
                (None, Some(r)) if !r.is_empty() => out.text.push_str(r),
                _ => {
                    out.text.push_str(&text[a..b]);
                    if !out.unsupported.contains(&e.word) {
                        out.unsupported.push(e.word.clone());
                    }
                }
            }
            at = b;
        }
        out.text.push_str(&text[at..]);
        out
    }
}

/// The lexicon scope of the global lexicon.
pub const GLOBAL: &str = "";

/// The entries of one scope (`""`: global; else a project's) from the store.
///
/// # Errors
/// [`Error::Store`]; [`Error::Config`] for an entry that no longer parses.
pub fn load_scope(store: &crate::store::Store, scope: &str) -> Result<Lexicon> {
    let entries = store
        .lexicon_entries(scope)?
        .iter()
        .map(|j| {
            serde_json::from_str(j)
                .map_err(|e| Error::Config(format!("bad lexicon entry in the store: {e}")))
        })
        .collect::<Result<Vec<Entry>>>()?;
    Ok(Lexicon { entries })
}

/// The lexicon a project's speech is made with: the global entries, with
/// the project's overriding them.
///
/// # Errors
/// As [`load_scope`].
pub fn load(store: &crate::store::Store, project: &str) -> Result<Lexicon> {
    let global = load_scope(store, GLOBAL)?;
    if project.is_empty() {
        return Ok(global);
    }
    Ok(global.overlaid(&load_scope(store, project)?))
}

#[cfg(test)]
mod tests;
