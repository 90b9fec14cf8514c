//! Directives an author writes into a script's text, read before the
//! Markdown so that an error can name its line:
//!
//! * `[pause 1.5s]`, `[pause 800ms]`: exactly that much silence between the
//!   speech on either side (at most [`MAX_PAUSE_MS`]).
//! * SSML 1.1's `<break time="1.5s"/>` (or `strength="x-weak"` …
//!   `"x-strong"`, §3.1.7), read with `quick-xml`: the same as a pause tag.
//! * `[voice: NAME]`: NAME (a speaker of the cast) speaks from here to the
//!   next marker or the section's end; `[voice: NARRATOR]` switches back.
//!
//! [`prepare`] rewrites every pause (either form) to the canonical
//! `[pause <ms>ms]` and every voice marker to `[voice: NAME]`, keeping line
//! breaks, so the Markdown reader passes them on as text and the sentence
//! splitter ([`super::speakers`]) reads them with [`token_at`].

use serde::{Deserialize, Serialize};

/// The longest pause a tag may ask for, ms (10 minutes).
pub const MAX_PAUSE_MS: u32 = 600_000;

/// One directive found in a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Directive {
    /// 1-based line of the script it is on.
    pub line: usize,
    /// What it says.
    pub token: Token,
}

/// A directive's meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Token {
    /// Silence, ms.
    Pause(u32),
    /// The speaker from here on (as written in the marker).
    Voice(String),
}

impl Token {
    /// The canonical text of the directive (`[pause 1500ms]`, `[voice: MARA]`).
    pub fn canonical(&self) -> String {
        match self {
            Token::Pause(ms) => format!("[pause {ms}ms]"),
            Token::Voice(name) => format!("[voice: {name}]"),
        }
    }
}

/// A malformed directive: its 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, quoting the tag.
    pub message: String,
}

/// The script text with every directive in canonical form, and the
/// directives in order.
///
/// # Errors
/// The first malformed tag: an unclosed `[pause`/`[voice:`, a duration
/// that is not a number of `s` or `ms`, one that is negative or over
/// [`MAX_PAUSE_MS`], an empty speaker name, or a `<break>` that is not
/// well-formed XML or has neither a valid `time` nor `strength`.
pub fn prepare(text: &str) -> Result<(String, Vec<Directive>), DirectiveError> {
    let text = &text.replace(super::markdown::HEADING_MARK, "");
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    // Front matter is data, not speech: copied as it is.
    let front = crate::cast::front_matter_len(text);
    out.push_str(&text[..front]);
    let skipped = text[..front].matches('\n').count();
    for (i, line) in text[front..].split_inclusive('\n').enumerate() {
        let n = skipped + i + 1;
        let mut rest = line;
        while let Some((at, len, token)) =
            next_directive(rest).map_err(|message| DirectiveError { line: n, message })?
        {
            out.push_str(&rest[..at]);
            out.push_str(&token.canonical());
            found.push(Directive { line: n, token });
            rest = &rest[at + len..];
        }
        out.push_str(rest);
    }
    Ok((out, found))
}

/// The first directive in `line`: its byte offset, length and meaning.
fn next_directive(line: &str) -> Result<Option<(usize, usize, Token)>, String> {
    let mut from = 0;
    while let Some(rel) = line[from..].find(['[', '<']) {
        let at = from + rel;
        let rest = &line[at..];
        if let Some(after) = rest.strip_prefix('[') {
            let word: String = after
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect::<String>()
                .to_ascii_lowercase();
            // `[voice` is a marker only with its colon (`[voice: MARA]`):
            // `[voice, drama]` and `[voices]` stay text.
            let marker =
                word == "voice" && after[word.len()..].trim_start().starts_with([':', '=']);
            if word == "pause" || marker {
                let end = rest.find(']').ok_or_else(|| {
                    format!("unclosed {word} tag \"{}\": end it with ]", rest.trim_end())
                })?;
                let tag = &rest[..=end];
                let inner = &rest[1 + word.len()..end];
                let token = if word == "pause" {
                    Token::Pause(pause_ms(inner.trim()).map_err(|e| format!("{tag}: {e}"))?)
                } else {
                    Token::Voice(voice_name(inner).map_err(|e| format!("{tag}: {e}"))?)
                };
                return Ok(Some((at, end + 1, token)));
            }
        } else if is_break_tag(rest) {
            let end = rest
                .find('>')
                .ok_or_else(|| format!("unclosed <break> tag \"{}\"", rest.trim_end()))?;
            let tag = &rest[..=end];
            let ms = ssml_break_ms(tag).map_err(|e| format!("{tag}: {e}"))?;
            return Ok(Some((at, end + 1, Token::Pause(ms))));
        }
        from = at + 1;
    }
    Ok(None)
}

fn is_break_tag(s: &str) -> bool {
    s.strip_prefix("<break")
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_whitespace() || c == '/' || c == '>')
}

/// A pause length as written in a tag (`1.5s`, `800ms`, `2 s`) → ms.
fn pause_ms(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else if s.is_empty() {
        return Err("a pause needs a length, e.g. [pause 1.5s] or [pause 800ms]".into());
    } else {
        return Err(format!(
            "\"{s}\" is not a length: write seconds (1.5s) or milliseconds (800ms)"
        ));
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a length: write e.g. 1.5s or 800ms"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("a pause cannot be negative ({s})"));
    }
    let ms = (v * scale).round();
    if ms > f64::from(MAX_PAUSE_MS) {
        return Err(format!(
            "{s} is longer than the longest pause, {} minutes",
            MAX_PAUSE_MS / 60_000
        ));
    }
    Ok(ms as u32)
}

/// The speaker name of a `[voice: NAME]` marker (what follows `voice`).
fn voice_name(inner: &str) -> Result<String, String> {
    let name = inner
        .trim()
        .strip_prefix(':')
        .or_else(|| inner.trim().strip_prefix('='))
        .ok_or("write the speaker after a colon, e.g. [voice: MARA]")?
        .trim();
    if name.is_empty() {
        return Err("no speaker named: write e.g. [voice: MARA]".into());
    }
    if name.chars().count() > 60 || name.contains(['[', ']', '<', '>']) {
        return Err(format!("\"{name}\" is not a speaker's name"));
    }
    Ok(name.to_string())
}

/// SSML 1.1 `<break>` strengths (§3.1.7) as pause lengths, ms.
const STRENGTHS: [(&str, u32); 6] = [
    ("none", 0),
    ("x-weak", 100),
    ("weak", 250),
    ("medium", 500),
    ("strong", 1000),
    ("x-strong", 2000),
];

/// An SSML `<break .../>` tag's pause, ms: its `time` when given, else its
/// `strength`; a bare `<break/>` is a medium break.
fn ssml_break_ms(tag: &str) -> Result<u32, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(tag);
    let start = match reader.read_event() {
        Ok(Event::Empty(e)) | Ok(Event::Start(e)) => e,
        Ok(_) => return Err("not an SSML break element".into()),
        Err(e) => return Err(format!("not well-formed XML: {e}")),
    };
    let (mut time, mut strength) = (None, None);
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad attribute value: {e}"))?
            .into_owned();
        match attr.key.as_ref() {
            "time" => time = Some(value),
            "strength" => strength = Some(value),
            other => {
                return Err(format!(
                    "unknown attribute \"{other}\" (SSML's break takes time and strength)"
                ))
            }
        }
    }
    if let Some(t) = time {
        return pause_ms(&t);
    }
    match strength {
        None => Ok(500),
        Some(s) => STRENGTHS
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, ms)| *ms)
            .ok_or_else(|| {
                format!(
                    "strength \"{s}\" is not one of none, x-weak, weak, medium, strong, x-strong"
                )
            }),
    }
}

/// The canonical directive that starts `s` exactly (as [`prepare`] writes
/// them), with its length in bytes.
pub fn token_at(s: &str) -> Option<(Token, usize)> {
    if let Some(rest) = s.strip_prefix("[pause ") {
        let end = rest.find("ms]")?;
        let ms = rest[..end].parse().ok()?;
        return Some((Token::Pause(ms), "[pause ".len() + end + 3));
    }
    let rest = s.strip_prefix("[voice: ")?;
    let end = rest.find(']')?;
    let name = &rest[..end];
    (!name.is_empty()).then(|| (Token::Voice(name.to_string()), "[voice: ".len() + end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pauses(text: &str) -> Vec<u32> {
        prepare(text)
            .expect("prepare")
            .1
            .into_iter()
            .filter_map(|d| match d.token {
                Token::Pause(ms) => Some(ms),
                Token::Voice(_) => None,
            })
            .collect()
    }

    #[test]
    fn pause_tags_in_both_forms_become_canonical() {
        let (text, found) = prepare(
            "Breathe in. [pause 1.5s] And out.\nRest <break time=\"800ms\"/> now [PAUSE 2 s].\n<break strength=\"strong\"/>",
        )
        .expect("prepare");
        assert_eq!(
            text,
            "Breathe in. [pause 1500ms] And out.\nRest [pause 800ms] now [pause 2000ms].\n[pause 1000ms]"
        );
        assert_eq!(
            found.iter().map(|d| d.line).collect::<Vec<_>>(),
            vec![1, 2, 2, 3]
        );
        assert_eq!(pauses("<break/>"), vec![500]);
        assert_eq!(pauses("[pause 0.25s]"), vec![250]);
    }

    #[test]
    fn voice_markers_are_read() {
        let (text, found) = prepare("[voice:MARA] Hello.\n[Voice = Tom] Hi.").expect("prepare");
        assert_eq!(text, "[voice: MARA] Hello.\n[voice: Tom] Hi.");
        assert_eq!(found[1].token, Token::Voice("Tom".into()));
        assert_eq!(
            token_at("[voice: MARA] Hello."),
            Some((Token::Voice("MARA".into()), 13))
        );
        assert_eq!(token_at("[pause 1500ms] x"), Some((Token::Pause(1500), 14)));
        assert_eq!(token_at("[note] x"), None);
    }

    #[test]
    fn bad_tags_name_their_line() {
        for (text, line, needle) in [
            ("ok\n[pause fast]", 2, "not a length"),
            ("[pause -1s]", 1, "negative"),
            ("a\nb\n[pause 11min]", 3, "not a length"),
            ("[pause 601s]", 1, "longest pause"),
            ("[pause 2s", 1, "unclosed"),
            ("[pause]", 1, "needs a length"),
            ("[voice: ]", 1, "no speaker"),
            ("[voice:]", 1, "no speaker"),
            ("x <break time=\"2s\" foo=\"1\"/>", 1, "unknown attribute"),
            ("<break time='2s'", 1, "unclosed"),
            ("<break time=2s/>", 1, "enclosed in"),
            ("<break strength=\"loud\"/>", 1, "strength"),
        ] {
            let e = prepare(text).expect_err(text);
            assert_eq!(e.line, line, "{text}: {e:?}");
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }

    #[test]
    fn front_matter_is_not_read_for_directives() {
        let text =
            "---\ntags: [voice, drama]\nnote: \"[pause]\"\n---\nHi [pause 1s] there.\n[pause x]";
        let e = prepare(text).expect_err("the body's bad tag");
        assert_eq!(e.line, 6, "{e:?}");
        let (out, found) = prepare(&text[..text.len() - 10]).expect("prepare");
        assert!(
            out.starts_with("---\ntags: [voice, drama]\nnote: \"[pause]\"\n---\n"),
            "{out}"
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 5);
    }

    #[test]
    fn ordinary_brackets_and_tags_stay_as_written() {
        let text = "See [note 3] and <b>bold</b>, [voices], [voice, drama] and [pauses carry on].";
        assert_eq!(prepare(text).expect("prepare").0, text);
    }
}
