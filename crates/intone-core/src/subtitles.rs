//! Subtitles: cues from where each sentence was placed in a track's timeline,
//! split into readable cues, written as SubRip (SRT) and WebVTT (W3C WebVTT,
//! "WebVTT file format").
//!
//! A cue holds at most [`MAX_LINES`] lines of at most [`MAX_LINE_CHARS`]
//! characters (the common broadcast and streaming guideline). A longer
//! sentence is split at clause boundaries (`,` `;` `:` dashes), then between
//! words; its time is shared among its cues by their length in characters.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::fsio;

/// Characters a subtitle line holds.
pub const MAX_LINE_CHARS: usize = 42;
/// Lines a cue holds.
pub const MAX_LINES: usize = 2;
/// Shortest time a cue stays up when the next one leaves room, ms.
const MIN_CUE_MS: u64 = 800;

/// Where one sentence sits in a timeline, in frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    /// What is said.
    pub text: String,
    /// First frame of its audio.
    pub start_frame: u64,
    /// Frame after its last.
    pub end_frame: u64,
    /// Who says it, when the track has a cast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

/// One subtitle cue.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cue {
    /// Shown from, ms.
    pub start_ms: u64,
    /// Hidden at, ms.
    pub end_ms: u64,
    /// One or two lines, joined by `\n`.
    pub text: String,
    /// Who says it, when the track has a cast: a WebVTT voice span
    /// (`<v NAME>`, WebVTT §4.2.2), and in SRT an optional `NAME: ` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

/// Splits `text` into pieces of at most `max` characters: at clause
/// boundaries where it can, else between words (a single longer word stays
/// whole).
fn split_readable(text: &str, max: usize) -> Vec<String> {
    let len = |s: &str| s.chars().count();
    if len(text) <= max {
        return vec![text.to_owned()];
    }
    // Clauses, each keeping its punctuation.
    let mut clauses = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
        if word.ends_with([',', ';', ':']) || matches!(word, "—" | "–" | "-") {
            clauses.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        clauses.push(cur);
    }
    // Pack clauses; a clause too long on its own is packed word by word.
    let mut out: Vec<String> = Vec::new();
    let mut piece = String::new();
    let push = |piece: &mut String, part: &str, out: &mut Vec<String>| {
        if !piece.is_empty() && len(piece) + 1 + len(part) > max {
            out.push(std::mem::take(piece));
        }
        if !piece.is_empty() {
            piece.push(' ');
        }
        piece.push_str(part);
    };
    for clause in clauses {
        if len(&clause) <= max {
            push(&mut piece, &clause, &mut out);
        } else {
            for word in clause.split_whitespace() {
                push(&mut piece, word, &mut out);
            }
        }
    }
    if !piece.is_empty() {
        out.push(piece);
    }
    out
}

/// Breaks a cue's text into at most two lines of at most
/// [`MAX_LINE_CHARS`], the break nearest the middle.
fn lines(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= MAX_LINE_CHARS {
        return text.to_owned();
    }
    let mid = chars.len() / 2;
    let best = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            **c == ' ' && *i <= MAX_LINE_CHARS && chars.len() - i - 1 <= MAX_LINE_CHARS
        })
        .min_by_key(|(i, _)| i.abs_diff(mid))
        .map(|(i, _)| i);
    match best {
        Some(i) => {
            let (a, b) = chars.split_at(i);
            format!(
                "{}\n{}",
                a.iter().collect::<String>(),
                b[1..].iter().collect::<String>()
            )
        }
        None => text.to_owned(),
    }
}

/// Cues for `sentences` placed at `sample_rate_hz`, shifted by
/// `offset_frames` (the lead-in added after assembly). Cues never overlap;
/// each stays up at least 0.8 s when the next one leaves room.
pub fn cues(sentences: &[Placed], sample_rate_hz: u32, offset_frames: u64) -> Vec<Cue> {
    let ms = |f: u64| (f + offset_frames) * 1000 / u64::from(sample_rate_hz.max(1));
    let mut out: Vec<Cue> = Vec::new();
    for s in sentences {
        let text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            continue;
        }
        // Pieces that fit two lines; one that cannot be wrapped into two
        // (its words fall badly) becomes one-line pieces.
        let pieces: Vec<String> = split_readable(&text, MAX_LINE_CHARS * MAX_LINES)
            .into_iter()
            .flat_map(|p| {
                if lines(&p)
                    .lines()
                    .all(|l| l.chars().count() <= MAX_LINE_CHARS)
                {
                    vec![p]
                } else {
                    split_readable(&p, MAX_LINE_CHARS)
                }
            })
            .collect();
        let total: usize = pieces.iter().map(|p| p.chars().count().max(1)).sum();
        let span = s.end_frame.saturating_sub(s.start_frame);
        let mut done = 0usize;
        for p in pieces {
            let from = s.start_frame + span * done as u64 / total as u64;
            done += p.chars().count().max(1);
            let to = s.start_frame + span * done as u64 / total as u64;
            out.push(Cue {
                start_ms: ms(from),
                end_ms: ms(to),
                text: lines(&p),
                speaker: s.speaker.clone(),
            });
        }
    }
    // Hold short cues up when there is room; never run into the next cue.
    for i in 0..out.len() {
        let next = out.get(i + 1).map(|n| n.start_ms);
        let c = &mut out[i];
        c.end_ms = c.end_ms.max(c.start_ms + MIN_CUE_MS);
        if let Some(n) = next {
            c.end_ms = c.end_ms.min(n);
        }
    }
    out
}

/// Moves every cue `by_ms` later (for joining tracks into one file).
pub fn shifted(cues: &[Cue], by_ms: u64) -> Vec<Cue> {
    cues.iter()
        .map(|c| Cue {
            start_ms: c.start_ms + by_ms,
            end_ms: c.end_ms + by_ms,
            text: c.text.clone(),
            speaker: c.speaker.clone(),
        })
        .collect()
}

fn stamp(ms: u64, decimal: char) -> String {
    format!(
        "{:02}:{:02}:{:02}{decimal}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// SubRip text: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`. With
/// `speakers`, a cue that has a speaker starts with `NAME: `.
pub fn srt(cues: &[Cue], speakers: bool) -> String {
    let mut s = String::new();
    for (i, c) in cues.iter().enumerate() {
        let who = match (&c.speaker, speakers) {
            (Some(name), true) => format!("{name}: "),
            _ => String::new(),
        };
        s.push_str(&format!(
            "{}\n{} --> {}\n{who}{}\n\n",
            i + 1,
            stamp(c.start_ms, ','),
            stamp(c.end_ms, ','),
            c.text
        ));
    }
    s
}

/// WebVTT text: the `WEBVTT` header, cues with `HH:MM:SS.mmm` times; a cue
/// with a speaker is one voice span, `<v NAME>text`.
pub fn vtt(cues: &[Cue]) -> String {
    let mut s = String::from("WEBVTT\n\n");
    for c in cues {
        let who = c
            .speaker
            .as_ref()
            .map(|n| format!("<v {n}>"))
            .unwrap_or_default();
        s.push_str(&format!(
            "{} --> {}\n{who}{}\n\n",
            stamp(c.start_ms, '.'),
            stamp(c.end_ms, '.'),
            c.text
        ));
    }
    s
}

/// The subtitle files written beside `audio`: `<stem>.srt` and `<stem>.vtt`.
pub fn paths_beside(audio: &Path) -> (PathBuf, PathBuf) {
    (audio.with_extension("srt"), audio.with_extension("vtt"))
}

/// Writes `cues` as `<stem>.srt` and `<stem>.vtt` beside `audio`
/// (atomically). Returns the two paths.
///
/// # Errors
/// [`crate::Error::Io`] naming the file that could not be written.
pub fn write_beside(audio: &Path, cues: &[Cue]) -> Result<(PathBuf, PathBuf)> {
    write_beside_with(audio, cues, false)
}

/// [`write_beside`], with the SRT's `NAME: ` prefixes when `srt_speakers`.
///
/// # Errors
/// [`crate::Error::Io`] naming the file that could not be written.
pub fn write_beside_with(
    audio: &Path,
    cues: &[Cue],
    srt_speakers: bool,
) -> Result<(PathBuf, PathBuf)> {
    let (s, v) = paths_beside(audio);
    fsio::write_atomically(&s, srt(cues, srt_speakers).as_bytes())?;
    fsio::write_atomically(&v, vtt(cues).as_bytes())?;
    Ok((s, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sentences_split_at_clauses_into_two_line_cues_that_never_overlap() {
        let long = "When you are ready, let your breath slow down, and notice the weight of your hands resting on your knees; there is nothing else to do right now.";
        let placed = [
            Placed {
                text: "Hello.".into(),
                start_frame: 0,
                end_frame: 12_000,
                speaker: None,
            },
            Placed {
                text: long.into(),
                start_frame: 24_000,
                end_frame: 24_000 + 48_000 * 9,
                speaker: None,
            },
        ];
        let c = cues(&placed, 48_000, 48_000);
        assert_eq!(c[0].start_ms, 1000);
        assert_eq!(c[0].end_ms, 1500, "held up, but not into the next cue");
        assert_eq!(c[1].start_ms, 1500);
        assert!(c.len() >= 3, "{c:?}");
        for w in c.windows(2) {
            assert!(w[0].end_ms <= w[1].start_ms, "{w:?}");
        }
        for cue in &c {
            let l: Vec<&str> = cue.text.lines().collect();
            assert!(l.len() <= MAX_LINES, "{cue:?}");
            assert!(
                l.iter().all(|x| x.chars().count() <= MAX_LINE_CHARS),
                "{cue:?}"
            );
        }
        // Every word is kept, in order.
        let words: Vec<String> = c[1..]
            .iter()
            .flat_map(|x| {
                x.text
                    .split_whitespace()
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(words.join(" "), long);
        assert!(
            c[1].text.ends_with(',') || c[1].text.ends_with(';'),
            "{:?}",
            c[1]
        );
        assert_eq!(c.last().map(|x| x.end_ms), Some(1000 + 500 + 9000));
        let s = srt(&c, false);
        assert!(
            s.starts_with("1\n00:00:01,000 --> 00:00:01,500\nHello.\n\n2\n"),
            "{s}"
        );
        assert!(vtt(&c).starts_with("WEBVTT\n\n00:00:01.000 --> 00:00:01.500\nHello.\n"));
    }
}
