//! Transcripts of recordings: what the recognizer heard, with its times
//! snapped to where speech really starts and stops, written beside a track as
//! text, SRT and WebVTT (`<track stem>.txt`, `.srt`, `.vtt`).
//!
//! whisper.cpp's segment and token times are off by up to about a second
//! (they come from timestamp tokens, not from the audio). The recording's own
//! level profile ([`crate::audio::silence`]) says where speech is, so each
//! segment's start moves to the nearest speech onset within [`SNAP_S`], its
//! end to the nearest speech offset, and no word starts or ends inside a
//! silence.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Transcript;
use crate::audio::silence::{LevelProfile, Silence};
use crate::error::Result;
use crate::fsio;
use crate::subtitles::{self, Cue, Placed};

/// Farthest a segment edge moves to meet a speech edge, s.
pub const SNAP_S: f64 = 1.0;
/// Shortest pause that counts as a speech edge, ms.
const MIN_PAUSE_MS: f64 = 150.0;
/// A pause at least this long between words starts a new line, s (Whisper
/// may return a whole list of short phrases as one segment).
pub const LINE_PAUSE_S: f64 = 0.7;

/// One line of a transcript as the app shows it (click to seek).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// Start, ms from the start of the recording.
    pub start_ms: u64,
    /// End, ms.
    pub end_ms: u64,
    /// What was said.
    pub text: String,
}

/// The files written beside a track, and the lines in them.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptFiles {
    /// Plain text, one segment a line.
    pub txt: PathBuf,
    /// SubRip subtitles.
    pub srt: PathBuf,
    /// WebVTT subtitles.
    pub vtt: PathBuf,
    /// The segments, snapped.
    pub lines: Vec<TranscriptLine>,
}

/// Speech regions (start, end) in seconds: the gaps between silences.
fn speech_regions(silences: &[Silence], frames: u64, rate: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut at = 0u64;
    for s in silences {
        if s.start > at {
            out.push((at as f64 / rate, s.start as f64 / rate));
        }
        at = at.max(s.end);
    }
    if frames > at {
        out.push((at as f64 / rate, frames as f64 / rate));
    }
    out
}

fn nearest(edges: impl Iterator<Item = f64>, t: f64) -> Option<f64> {
    edges
        .filter(|e| (e - t).abs() <= SNAP_S)
        .min_by(|a, b| (a - t).abs().total_cmp(&(b - t).abs()))
}

/// Snaps every segment's and word's times to the speech in `profile` (the
/// same recording's level profile). Times stay in order: a segment never
/// starts before the previous one ended.
pub fn snap(t: &mut Transcript, profile: &LevelProfile) {
    let rate = f64::from(profile.sample_rate_hz.max(1));
    let silences = profile.silences(MIN_PAUSE_MS);
    let regions = speech_regions(&silences, profile.frames, rate);
    let quiet: Vec<(f64, f64)> = silences
        .iter()
        .map(|s| (s.start as f64 / rate, s.end as f64 / rate))
        .collect();
    let mut floor = 0.0f64;
    for seg in &mut t.segments {
        if let Some(s) = nearest(regions.iter().map(|r| r.0), seg.start_s) {
            seg.start_s = s;
        }
        if let Some(e) = nearest(regions.iter().map(|r| r.1), seg.end_s) {
            seg.end_s = e;
        }
        seg.start_s = seg.start_s.max(floor);
        seg.end_s = seg.end_s.max(seg.start_s);
        for w in &mut seg.words {
            if let Some(&(_, b)) = quiet
                .iter()
                .find(|(a, b)| w.start_s >= *a && w.start_s < *b)
            {
                w.start_s = b;
            }
            if let Some(&(a, _)) = quiet.iter().find(|(a, b)| w.end_s > *a && w.end_s <= *b) {
                w.end_s = a;
            }
            w.start_s = w.start_s.clamp(seg.start_s, seg.end_s);
            w.end_s = w.end_s.clamp(w.start_s, seg.end_s);
        }
        floor = seg.end_s;
    }
}

fn ms(s: f64) -> u64 {
    (s * 1000.0).round().max(0.0) as u64
}

/// The transcript's lines: its segments, each split again where its words
/// fall on either side of a pause of at least [`LINE_PAUSE_S`] in
/// `profile` (the same recording), each line running from the start of the
/// speech of its first word to the end of the speech of its last. Call after
/// [`snap`].
pub fn lines(t: &Transcript, profile: &LevelProfile) -> Vec<TranscriptLine> {
    let rate = f64::from(profile.sample_rate_hz.max(1));
    let regions = speech_regions(&profile.silences(MIN_PAUSE_MS), profile.frames, rate);
    // The speech region a moment belongs to (the nearest one).
    let region = |t: f64| -> Option<usize> {
        (0..regions.len()).min_by(|&a, &b| {
            let d = |k: usize| {
                let (s, e) = regions[k];
                if t < s {
                    s - t
                } else if t > e {
                    t - e
                } else {
                    0.0
                }
            };
            d(a).total_cmp(&d(b))
        })
    };
    let mut out = Vec::new();
    for seg in &t.segments {
        if seg.words.is_empty() {
            out.push(TranscriptLine {
                start_ms: ms(seg.start_s),
                end_ms: ms(seg.end_s),
                text: seg.text.clone(),
            });
            continue;
        }
        let mut line: Vec<&str> = Vec::new();
        let mut start = seg.start_s;
        let mut last: Option<usize> = None;
        for (i, w) in seg.words.iter().enumerate() {
            let r = region((w.start_s + w.end_s) / 2.0);
            let pause = match (last, r) {
                (Some(a), Some(b)) if b > a => regions[b].0 - regions[a].1,
                _ => 0.0,
            };
            if !line.is_empty() && pause >= LINE_PAUSE_S {
                let end = last.map_or(w.start_s, |a| regions[a].1);
                out.push(TranscriptLine {
                    start_ms: ms(start),
                    end_ms: ms(end),
                    text: line.join(" "),
                });
                line.clear();
            }
            if line.is_empty() {
                start = match r {
                    Some(b) if i > 0 => regions[b].0,
                    _ => seg.start_s,
                };
            }
            line.push(&w.text);
            last = r.or(last);
        }
        out.push(TranscriptLine {
            start_ms: ms(start),
            end_ms: ms(seg.end_s.max(start)),
            text: line.join(" "),
        });
    }
    out
}

/// Subtitle cues for transcript lines (long lines split into readable cues
/// as speech subtitles are: [`subtitles::cues`]).
pub fn cues(lines: &[TranscriptLine]) -> Vec<Cue> {
    let placed: Vec<Placed> = lines
        .iter()
        .map(|l| Placed {
            text: l.text.clone(),
            start_frame: l.start_ms,
            end_frame: l.end_ms,
            speaker: None,
        })
        .collect();
    subtitles::cues(&placed, 1000, 0)
}

/// Writes `<audio stem>.txt`, `.srt` and `.vtt` of `lines` beside `audio`.
///
/// # Errors
/// [`crate::Error::Io`] naming a file that cannot be written.
pub fn write_beside(audio: &Path, lines: Vec<TranscriptLine>) -> Result<TranscriptFiles> {
    let txt = audio.with_extension("txt");
    let mut text: String = lines.iter().map(|l| format!("{}\n", l.text)).collect();
    if text.is_empty() {
        text.push('\n');
    }
    fsio::write_with(&txt, |tmp| {
        std::fs::write(tmp, text.as_bytes()).map_err(|e| crate::Error::io(tmp, e))
    })?;
    let (srt, vtt) = subtitles::write_beside(audio, &cues(&lines))?;
    Ok(TranscriptFiles {
        txt,
        srt,
        vtt,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognize::{Segment, Word};

    fn profile(levels: &[f32]) -> LevelProfile {
        // 10 ms frames at 1 kHz: one level per 10 samples.
        LevelProfile {
            sample_rate_hz: 1000,
            frames: levels.len() as u64 * 10,
            hop: 10,
            levels_db: levels.to_vec(),
        }
    }

    #[test]
    fn segment_edges_move_to_speech_and_words_leave_silence() {
        // Silence 0–1 s, speech 1–2 s, silence 2–3 s, speech 3–4 s.
        let mut levels = vec![-80.0; 100];
        levels.extend(vec![-20.0; 100]);
        levels.extend(vec![-80.0; 100]);
        levels.extend(vec![-20.0; 100]);
        let p = profile(&levels);
        let word = |text: &str, a: f64, b: f64| Word {
            text: text.into(),
            start_s: a,
            end_s: b,
        };
        let mut t = Transcript {
            segments: vec![
                Segment {
                    text: "Hello there.".into(),
                    start_s: 0.4,
                    end_s: 2.6,
                    words: vec![word("Hello", 0.4, 1.5), word("there.", 1.5, 2.6)],
                },
                Segment {
                    text: "Again.".into(),
                    start_s: 2.5,
                    end_s: 3.9,
                    words: vec![word("Again.", 2.5, 3.9)],
                },
            ],
        };
        snap(&mut t, &p);
        let s = &t.segments;
        assert!((s[0].start_s - 1.0).abs() < 0.02, "{s:?}");
        assert!((s[0].end_s - 2.0).abs() < 0.02, "{s:?}");
        assert!((s[1].start_s - 3.0).abs() < 0.02, "{s:?}");
        assert!((s[0].words[0].start_s - 1.0).abs() < 0.02);
        assert!((s[0].words[1].end_s - 2.0).abs() < 0.02);
        let first = lines(&t, &p);
        assert_eq!(first.len(), 2, "{first:?}");
        let cues = cues(&first);
        assert_eq!(cues.len(), 2);
        assert!(cues[0].end_ms <= cues[1].start_ms);
        // One segment over both phrases is split at the pause between them.
        let mut one = Transcript {
            segments: vec![Segment {
                text: "Hello there. Again.".into(),
                start_s: 0.2,
                end_s: 3.8,
                words: vec![
                    word("Hello", 0.9, 1.4),
                    word("there.", 1.4, 2.1),
                    word("Again.", 2.9, 3.8),
                ],
            }],
        };
        snap(&mut one, &p);
        let split = lines(&one, &p);
        assert_eq!(split.len(), 2, "{split:?}");
        assert_eq!(
            (split[0].start_ms, split[0].text.as_str()),
            (1000, "Hello there.")
        );
        assert_eq!(
            (split[1].start_ms, split[1].text.as_str()),
            (3000, "Again.")
        );
    }
}
