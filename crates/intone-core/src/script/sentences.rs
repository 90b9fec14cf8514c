//! Sentence splitting and chunking for engines.
//!
//! A section's text is split into sentences at `.`, `!`, `?` and `…` when the
//! next word starts a new sentence (a capital letter, a digit, an opening
//! quote), except after known abbreviations (`Dr.`, `e.g.`, `Jan.`…) and single
//! initials. A sentence longer than the engine's limit is cut at the best clause
//! boundary that fits (`;` `:` dashes, then `,`, then conjunctions, then any
//! space), and its pieces are joined back without a pause.

use serde::{Deserialize, Serialize};

/// What follows an utterance when the pieces are assembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pause {
    /// The next utterance continues the same sentence: short crossfade, no pause.
    Join,
    /// End of a sentence.
    Sentence,
    /// End of a paragraph (a longer pause).
    Paragraph,
    /// Exactly this much silence between this speech and the next, ms: a
    /// pause the author wrote (`[pause 1.5s]`, SSML `<break>`).
    Exact(u32),
}

/// One piece of text an engine speaks in a single request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utterance {
    /// The text to speak (never longer than the limit it was split for).
    pub text: String,
    /// What follows it.
    pub pause_after: Pause,
    /// Which take of it to speak: 0 the first, more after each
    /// **Regenerate sentence** ([`crate::engines::SpeechRequest::take`]).
    #[serde(default)]
    pub take: u32,
    /// Who says it: a speaker of the cast, or `None` for the narrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Silence before it, ms: a pause tag before any speech of the section.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lead_ms: u32,
    /// It is a heading spoken inside a section (the pause after it is the
    /// heading pause when one is set).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
    /// Phonemes the lexicon gives words of `text`, for engines that take them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phonemes: Vec<crate::lexicon::PhonemeSpan>,
}

/// For `skip_serializing_if`: a zero that need not be written.
pub(crate) fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// Words that end with a full stop but do not end a sentence even before a
/// capital (`Dr. Smith`, `e.g. The`). Compared lowercased, without the final dot.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "prof", "st", "sr", "jr", "rev", "gen", "col", "capt", "lt",
    "sgt", "hon", "e.g", "i.e", "vs", "cf", "no", "nos", "fig", "figs", "approx", "mt", "ft",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
    "u.k", "a.m", "p.m", "inc", "ltd", "co", "corp", "dept", "est", "vol", "ch", "pp", "op",
];

pub(crate) fn normalize(s: &str) -> String {
    let s = s.replace("--", " — ");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '”' | '’' | '»' | super::markdown::HEADING_MARK
    )
}

fn is_opener(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | '[' | '“' | '‘' | '«' | '¿' | '¡')
}

/// Splits one normalized paragraph into sentences.
pub(crate) fn split_sentences(para: &str) -> Vec<String> {
    let chars: Vec<char> = para.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?' | '…') {
            // Swallow runs like "?!" or "..." and closing quotes.
            let mut j = i + 1;
            while j < chars.len()
                && (matches!(chars[j], '.' | '!' | '?' | '…') || is_closer(chars[j]))
            {
                j += 1;
            }
            // Must be followed by whitespace (or the end).
            if j < chars.len() && !chars[j].is_whitespace() {
                i = j;
                continue;
            }
            let mut k = j;
            while k < chars.len() && chars[k].is_whitespace() {
                k += 1;
            }
            let next = chars[k..].iter().copied().find(|&c| !is_opener(c));
            let starts_new = match next {
                None => true,
                Some(n) => {
                    n.is_uppercase()
                        || n.is_ascii_digit()
                        || !n.is_alphabetic() && !n.is_ascii_punctuation()
                }
            };
            let ends_here =
                starts_new && !(c == '.' && j == i + 1 && is_abbreviation(&chars[start..i]));
            if ends_here {
                let s: String = chars[start..j].iter().collect();
                let s = s.trim().to_string();
                if !s.is_empty() {
                    out.push(s);
                }
                start = k;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let rest: String = chars[start.min(chars.len())..].iter().collect();
    let rest = rest.trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// Whether the word just before a full stop is an abbreviation or an initial.
fn is_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace() && !is_opener(**c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let w = word.to_lowercase();
    if w.chars().count() == 1 && w.chars().all(char::is_alphabetic) {
        return true; // an initial: "J. R. Tolkien"
    }
    ABBREVIATIONS.contains(&w.as_str())
}

/// Break candidates in priority order: after these strings (or before, for conjunctions).
const STRONG: &[&str] = &["; ", ": ", " — ", " – ", ") "];
const COMMA: &[&str] = &[", "];
const CONJUNCTIONS: &[&str] = &[
    " and ",
    " but ",
    " or ",
    " because ",
    " which ",
    " while ",
    " so ",
    " yet ",
    " although ",
    " rather than ",
    " until ",
    " when ",
    " where ",
    " that ",
];

/// Cuts `sentence` into pieces of at most `max` characters at clause boundaries.
pub(crate) fn chunk(sentence: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = sentence.trim().to_string();
    while rest.chars().count() > max {
        let cut = best_cut(&rest, max);
        let (a, b) = rest.split_at(cut);
        let a = a.trim().to_string();
        let b = b.trim().to_string();
        if a.is_empty() || b.is_empty() {
            break;
        }
        out.push(a);
        rest = b;
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Byte index at which to cut `s` so the left part fits in `max` characters.
fn best_cut(s: &str, max: usize) -> usize {
    // Byte offset of the max-th char.
    let limit = s.char_indices().nth(max).map_or(s.len(), |(b, _)| b);
    let min = s.char_indices().nth(max / 3).map_or(0, |(b, _)| b);
    let window = &s[..limit];
    let after = |pats: &[&str]| -> Option<usize> {
        pats.iter()
            .filter_map(|p| window.rfind(p).map(|at| at + p.trim_end().len()))
            .filter(|&at| at >= min)
            .max()
    };
    let before = |pats: &[&str]| -> Option<usize> {
        pats.iter()
            .filter_map(|p| window.rfind(p))
            .filter(|&at| at >= min)
            .max()
    };
    after(STRONG)
        .or_else(|| after(COMMA))
        .or_else(|| before(CONJUNCTIONS))
        .or_else(|| window.rfind(' ').filter(|&at| at > 0))
        .unwrap_or(limit)
}
