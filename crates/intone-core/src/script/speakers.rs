//! A section's text → utterances, each with its speaker and the pause
//! after it.
//!
//! * Paragraphs are separated by a blank line. A paragraph that starts with
//!   `NAME:`, where NAME is a declared speaker (compared without case), is
//!   said by NAME, and `NAME:` is not spoken. Any other `Word:` is prose:
//!   "Note: this is a sentence" stays the narrator's unless the cast
//!   declares a speaker "Note".
//! * `[voice: NAME]` switches the speaker until the next marker or the end of
//!   the section, across paragraphs; `[voice: NARRATOR]` switches back.
//! * `[pause <ms>ms]` (written by [`super::directives::prepare`]) puts
//!   exactly that much silence after the speech before it
//!   ([`Pause::Exact`]; tags in a row add up, to at most
//!   [`MAX_PAUSE_MS`]); before any speech, it is the first utterance's
//!   [`Utterance::lead_ms`].
//! * Sentences are split as [`super::sentences`] does; a directive also ends
//!   the sentence it interrupts.

use super::directives::{token_at, Token, MAX_PAUSE_MS};
use super::markdown::HEADING_MARK;
use super::sentences::{chunk, normalize, split_sentences, Pause, Utterance};
use crate::cast::NARRATOR;

/// Splits section text into utterances no longer than `max_chars`
/// characters (below 20 is raised to 20), reading speaker lines, voice
/// markers and pause tags as the module docs say. `speakers` are the
/// declared speakers' names (the cast's); the narrator is `None`.
pub fn split_cast(text: &str, max_chars: usize, speakers: &[String]) -> Vec<Utterance> {
    let mut s = Splitter {
        max: max_chars.max(20),
        out: Vec::new(),
        lead_ms: 0,
    };
    let mut marker: Option<String> = None;
    for para in text.split("\n\n") {
        let para = normalize(para);
        if para.is_empty() {
            continue;
        }
        let before = s.out.len();
        // Directives before the words come first: `[pause 1s] MARA: Hi.`
        let mut start = 0;
        while let Some((token, len)) = token_at(&para[start..]) {
            match token {
                Token::Pause(ms) => s.pause(ms),
                Token::Voice(name) => marker = resolve(&name, speakers),
            }
            start += len;
            start += para[start..].len() - para[start..].trim_start().len();
        }
        let para = &para[start..];
        let (mut speaker, body) = match speaker_prefix(para, speakers) {
            Some((name, rest)) => (name, rest),
            None => (marker.clone(), para),
        };
        let mut segment_start = 0;
        let mut i = 0;
        while i < body.len() {
            let Some((token, len)) = body[i..]
                .starts_with('[')
                .then(|| token_at(&body[i..]))
                .flatten()
            else {
                i += body[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            };
            s.segment(&body[segment_start..i], &speaker);
            match token {
                Token::Pause(ms) => s.pause(ms),
                Token::Voice(name) => {
                    marker = resolve(&name, speakers);
                    speaker = marker.clone();
                }
            }
            i += len;
            segment_start = i;
        }
        s.segment(&body[segment_start..], &speaker);
        if s.out.len() > before {
            if let Some(last) = s.out.last_mut() {
                if last.pause_after == Pause::Sentence {
                    last.pause_after = Pause::Paragraph;
                }
            }
        }
    }
    s.out
}

/// The utterances being built.
struct Splitter {
    max: usize,
    out: Vec<Utterance>,
    /// Pause tags read before any speech, ms.
    lead_ms: u32,
}

impl Splitter {
    /// Adds the sentences of `text` (a stretch between directives).
    fn segment(&mut self, text: &str, speaker: &Option<String>) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        for sentence in split_sentences(text) {
            // The mark ends a heading: its last sentence is followed by the heading pause.
            let heading = sentence.contains(HEADING_MARK);
            let sentence = sentence.replace(HEADING_MARK, "");
            let pieces = chunk(sentence.trim(), self.max);
            let n = pieces.len();
            for (i, p) in pieces.into_iter().enumerate() {
                let lead_ms = std::mem::take(&mut self.lead_ms);
                self.out.push(Utterance {
                    text: p,
                    pause_after: if i + 1 < n {
                        Pause::Join
                    } else {
                        Pause::Sentence
                    },
                    take: 0,
                    speaker: speaker.clone(),
                    lead_ms,
                    heading,
                    phonemes: Vec::new(),
                });
            }
        }
    }

    /// A pause tag: after the last utterance, or before the first.
    fn pause(&mut self, ms: u32) {
        match self.out.last_mut() {
            Some(last) => {
                last.pause_after = match last.pause_after {
                    Pause::Exact(before) => {
                        Pause::Exact(before.saturating_add(ms).min(MAX_PAUSE_MS))
                    }
                    _ => Pause::Exact(ms.min(MAX_PAUSE_MS)),
                }
            }
            None => self.lead_ms = self.lead_ms.saturating_add(ms).min(MAX_PAUSE_MS),
        }
    }
}

/// A marker's name as a declared speaker's (matched without case), or
/// `None` for the narrator; an undeclared name is kept as written (the plan
/// refuses it before a batch is made).
fn resolve(name: &str, speakers: &[String]) -> Option<String> {
    if name.eq_ignore_ascii_case(NARRATOR) {
        return None;
    }
    Some(
        speakers
            .iter()
            .find(|s| s.to_lowercase() == name.to_lowercase())
            .cloned()
            .unwrap_or_else(|| name.to_string()),
    )
}

/// `(speaker, rest)` when `para` starts with a declared speaker's name and a
/// colon (`MARA: Hello.`); `NARRATOR:` names the narrator (`None`).
fn speaker_prefix<'a>(para: &'a str, speakers: &[String]) -> Option<(Option<String>, &'a str)> {
    let colon = para.find(':')?;
    let name = para[..colon].trim();
    let rest = &para[colon + 1..];
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let lower = name.to_lowercase();
    let declared = speakers.iter().find(|s| s.to_lowercase() == lower)?;
    let speaker = (!declared.eq_ignore_ascii_case(NARRATOR)).then(|| declared.clone());
    Some((speaker, rest.trim_start()))
}

/// Sentences per speaker in `text` (the narrator as [`NARRATOR`]), in order
/// of first appearance.
pub fn speaker_counts(text: &str, speakers: &[String]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for u in split_cast(text, usize::MAX / 2, speakers) {
        let name = u.speaker.unwrap_or_else(|| NARRATOR.to_string());
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name, 1)),
        }
    }
    counts
}
