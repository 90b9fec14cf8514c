//! The intelligibility check: each sentence clip of a speech track is
//! transcribed and compared with the text it was meant to say.
//!
//! What was heard is cached with the clip (the `clips.heard` column), so a
//! clip is recognized once however many batches use it; the word error rate
//! is recomputed from the text, so a new threshold needs no new recognition.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{wer, Recognizer};
use crate::audio::wav::read_clip;
use crate::audio::{resample, Clip};
use crate::error::Result;
use crate::store::Store;

/// A sentence is flagged when its normalized word error rate is above this
/// and at least [`FLAG_MIN_ERRORS`] words are wrong. tiny.en misses about one
/// word in twenty on clean synthetic speech (measured in
/// `tests/recognize.rs`), so one slip in a short sentence is not flagged,
/// while a skipped or repeated phrase, mumbling or a wrong sentence is.
pub const FLAG_WER: f64 = 0.3;
/// Fewest wrong words for a flag.
pub const FLAG_MIN_ERRORS: usize = 2;

/// The check of one sentence clip.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceCheck {
    /// The clip's position in the track (0-based, in script order).
    pub index: u32,
    /// What the script says.
    pub text: String,
    /// What the recognizer heard.
    pub heard: String,
    /// Normalized word error rate ([`wer::wer`]).
    pub wer: f64,
    /// Whether the sentence is flagged for a listen.
    pub flagged: bool,
    /// Who says it, when the track has a cast (`None`: the narrator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

/// What a speech track's `check` step found (its memoized output).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CheckReport {
    /// Whether the batch checks its sentences (false: `sentences` is empty).
    pub checked: bool,
    /// Every sentence clip's check, in script order.
    pub sentences: Vec<SentenceCheck>,
}

impl CheckReport {
    /// The flagged sentences.
    pub fn flagged(&self) -> impl Iterator<Item = &SentenceCheck> {
        self.sentences.iter().filter(|s| s.flagged)
    }
}

/// Whether `errors` wrong words at `rate` make a flag.
pub fn is_flagged(rate: f64, errors: usize) -> bool {
    rate > FLAG_WER && errors >= FLAG_MIN_ERRORS
}

/// Scores what was heard against the text.
pub fn score(index: u32, text: &str, heard: &str) -> SentenceCheck {
    let r = wer::normalize(text);
    let h = wer::normalize(heard);
    let errors = wer::edit_distance(&r, &h);
    let rate = if r.is_empty() {
        f64::from(u8::from(!h.is_empty()))
    } else {
        errors as f64 / r.len() as f64
    };
    SentenceCheck {
        index,
        text: text.to_string(),
        heard: heard.to_string(),
        wer: rate,
        // A clip with no words to say (only punctuation) has nothing to check.
        flagged: !r.is_empty() && is_flagged(rate, errors),
        speaker: None,
    }
}

/// Longest audio heard in one recognizer call, s. Sentence clips are heard
/// several at a time, with an encoder context fitted to the window
/// ([`super::encoder_ctx`]). Longer windows cost more per second of speech:
/// whisper.cpp heard 19 s (plus margin) in two passes here (1.75 s) and 16 s
/// in one (0.69 s).
pub const WINDOW_S: f64 = 16.0;
/// Silence put between clips heard together, s: long enough that Whisper
/// ends a segment there.
const GAP_S: f64 = 1.0;
/// Share of a segment's time inside one clip for the segment to be that
/// clip's whole.
const OWN_SHARE: f64 = 0.8;

/// What the recognizer hears in each clip (key, file, text), in order. Clips
/// not heard before are read, resampled to 16 kHz and heard in windows of up
/// to [`WINDOW_S`] (consecutive clips, [`GAP_S`] of silence between), with an
/// encoder context fitted to the window; a window where that hears any
/// sentence badly enough to flag is heard again with the full 30 s context,
/// and that is what counts (a fitted context can derail; it is not known to
/// invent the right words, so a clean result stands). Each
/// segment Whisper returns goes to the clip holding at least [`OWN_SHARE`]
/// of its time; a segment that runs over several clips is split among them
/// by aligning its words with their texts ([`split_by_text`]), since
/// Whisper's word times can be off by a second. Each clip's share is cached.
/// `progress(done)` after each window.
///
/// # Errors
/// A clip cannot be read; recognizer or store errors.
pub fn hear_clips(
    store: &Store,
    recognizer: &Recognizer,
    clips: &[(&str, &Path, &str)],
    threads: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<String>> {
    let mut out: Vec<Option<String>> = Vec::with_capacity(clips.len());
    for (key, _, _) in clips {
        out.push(store.clip_heard(key)?);
    }
    let rate = f64::from(super::WHISPER_RATE_HZ);
    let gap = vec![0.0f32; (GAP_S * rate) as usize];
    let mut window: Vec<usize> = Vec::new();
    let mut spans: Vec<(f64, f64)> = Vec::new();
    let mut pcm: Vec<f32> = Vec::new();
    let todo: Vec<usize> = (0..clips.len()).filter(|&i| out[i].is_none()).collect();
    let mut done = clips.len() - todo.len();
    let mut flush = |window: &mut Vec<usize>,
                     spans: &mut Vec<(f64, f64)>,
                     pcm: &mut Vec<f32>,
                     out: &mut Vec<Option<String>>|
     -> Result<()> {
        if window.is_empty() {
            return Ok(());
        }
        let label = clips[window[0]].1;
        let texts: Vec<&str> = window.iter().map(|&i| clips[i].2).collect();
        let share = |heard: &super::Transcript| {
            if window.len() == 1 {
                vec![heard.text()]
            } else {
                split_segments(heard, spans, &texts)
            }
        };
        let pcm = std::mem::take(pcm);
        let ctx = super::encoder_ctx(pcm.len() as f64 / rate);
        let mut shares = share(&recognizer.transcribe_16k_ctx(pcm.clone(), threads, label, ctx)?);
        // A flag from the fitted context is confirmed with the full window.
        let any_flag = texts
            .iter()
            .zip(&shares)
            .any(|(text, heard)| score(0, text, heard).flagged);
        if ctx.is_some() && any_flag {
            shares = share(&recognizer.transcribe_16k(pcm, threads, label)?);
        }
        spans.clear();
        for (&i, share) in window.iter().zip(shares) {
            store.set_clip_heard(clips[i].0, &share)?;
            out[i] = Some(share);
        }
        done += window.len();
        window.clear();
        progress(done);
        Ok(())
    };
    for i in todo {
        let clip = read_clip(clips[i].1)?;
        let mono = resample::resample(
            &Clip::mono(clip.sample_rate_hz, clip.to_mono()),
            super::WHISPER_RATE_HZ,
        )?
        .samples;
        let next_len = pcm.len() + gap.len() + mono.len();
        if !window.is_empty()
            && (next_len as f64 / rate > WINDOW_S || window.last() != Some(&(i - 1)))
        {
            flush(&mut window, &mut spans, &mut pcm, &mut out)?;
        }
        if !window.is_empty() {
            pcm.extend_from_slice(&gap);
        }
        let start = pcm.len() as f64 / rate;
        pcm.extend_from_slice(&mono);
        spans.push((start, pcm.len() as f64 / rate));
        window.push(i);
    }
    flush(&mut window, &mut spans, &mut pcm, &mut out)?;
    Ok(out.into_iter().map(Option::unwrap_or_default).collect())
}

/// Shares a window's segments among its clips (spans in seconds).
fn split_segments(heard: &super::Transcript, spans: &[(f64, f64)], texts: &[&str]) -> Vec<String> {
    let mut shares: Vec<Vec<String>> = vec![Vec::new(); spans.len()];
    for seg in &heard.segments {
        let len = (seg.end_s - seg.start_s).max(1e-3);
        let overlaps: Vec<f64> = spans
            .iter()
            .map(|&(a, b)| (seg.end_s.min(b) - seg.start_s.max(a)).max(0.0))
            .collect();
        let best = (0..spans.len())
            .max_by(|&x, &y| overlaps[x].total_cmp(&overlaps[y]))
            .unwrap_or(0);
        if overlaps[best] >= OWN_SHARE * len || overlaps.iter().filter(|&&o| o > 0.0).count() <= 1 {
            shares[best].push(seg.text.clone());
            continue;
        }
        // Over several clips: split by text among the clips it touches.
        let touched: Vec<usize> = (0..spans.len()).filter(|&k| overlaps[k] > 0.0).collect();
        let sub: Vec<&str> = touched.iter().map(|&k| texts[k]).collect();
        for (k, part) in touched.into_iter().zip(split_by_text(&seg.text, &sub)) {
            if !part.is_empty() {
                shares[k].push(part);
            }
        }
    }
    let mut shares: Vec<String> = shares.into_iter().map(|s| s.join(" ")).collect();
    // Whisper can begin a clip's segment with the last words of the clip
    // before ("for. I wake before sunrise, …"): they go back to it.
    for k in 1..shares.len() {
        let (back, rest) =
            leading_words_of_previous(&shares[k - 1], &shares[k], texts[k - 1], texts[k]);
        if !back.is_empty() {
            shares[k - 1] = format!("{} {back}", shares[k - 1]).trim().to_string();
            shares[k] = rest;
        }
    }
    shares
}

/// Words heard at the start of a clip's share (at most [`MAX_CARRY_WORDS`])
/// that belong to the clip before: moving them makes both clips' shares
/// closer to their texts (total word edits strictly fewer). Returns (the words for
/// the clip before, the rest), both as heard.
fn leading_words_of_previous(
    prev_heard: &str,
    segment: &str,
    prev_text: &str,
    text: &str,
) -> (String, String) {
    let edits =
        |heard: &str, text: &str| wer::edit_distance(&wer::normalize(text), &wer::normalize(heard));
    let tokens: Vec<&str> = segment.split_whitespace().collect();
    let split = |j: usize| (tokens[..j].join(" "), tokens[j..].join(" "));
    let cost = |(back, rest): &(String, String)| {
        edits(&format!("{prev_heard} {back}"), prev_text) + edits(rest, text)
    };
    let mut best = split(0);
    let mut best_cost = cost(&best);
    for j in 1..=MAX_CARRY_WORDS.min(tokens.len()) {
        let candidate = split(j);
        let c = cost(&candidate);
        if c < best_cost {
            best = candidate;
            best_cost = c;
        }
    }
    best
}

/// Most words given back from a segment's start to the clip before it.
const MAX_CARRY_WORDS: usize = 3;

/// Splits what was heard across several clips among them: the heard words
/// (as written) go to the clip whose text's word they align with; words
/// heard in addition go with the word before them.
pub fn split_by_text(heard: &str, texts: &[&str]) -> Vec<String> {
    // Reference words, each with its clip.
    let mut reference: Vec<String> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    for (k, t) in texts.iter().enumerate() {
        for w in wer::normalize(t) {
            reference.push(w);
            owner.push(k);
        }
    }
    // Heard tokens as written, and their normalized words.
    let tokens: Vec<&str> = heard.split_whitespace().collect();
    let mut hyp: Vec<String> = Vec::new();
    let mut hyp_token: Vec<usize> = Vec::new();
    for (t, tok) in tokens.iter().enumerate() {
        for w in wer::normalize(tok) {
            hyp.push(w);
            hyp_token.push(t);
        }
    }
    let aligned = align(&reference, &hyp);
    // The clip of each heard token: that of its first normalized word.
    let mut token_clip: Vec<Option<usize>> = vec![None; tokens.len()];
    for (h, r) in aligned.iter().enumerate() {
        let clip = match r {
            Aligned::To(r) => owner[*r],
            Aligned::After(r) => r.map_or(0, |r| owner[r]),
        };
        token_clip[hyp_token[h]].get_or_insert(clip);
    }
    let mut shares = vec![Vec::new(); texts.len()];
    let mut last = 0usize;
    for (t, tok) in tokens.iter().enumerate() {
        let clip = token_clip[t]
            .unwrap_or(last)
            .min(texts.len().saturating_sub(1));
        last = clip;
        if let Some(s) = shares.get_mut(clip) {
            s.push(*tok);
        }
    }
    shares.into_iter().map(|s| s.join(" ")).collect()
}

/// Where a heard word lands in the reference.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Aligned {
    /// Matched or substituted for reference word `r`.
    To(usize),
    /// Inserted after reference word `r` (None: before the first).
    After(Option<usize>),
}

/// Word-level Levenshtein alignment of `hyp` against `reference`.
fn align(reference: &[String], hyp: &[String]) -> Vec<Aligned> {
    let (n, m) = (reference.len(), hyp.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + usize::from(reference[i - 1] != hyp[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let mut out = vec![Aligned::After(None); m];
    let (mut i, mut j) = (n, m);
    while j > 0 {
        if i > 0 && d[i][j] == d[i - 1][j - 1] + usize::from(reference[i - 1] != hyp[j - 1]) {
            out[j - 1] = Aligned::To(i - 1);
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            i -= 1;
        } else {
            out[j - 1] = Aligned::After(i.checked_sub(1));
            j -= 1;
        }
    }
    out
}

/// Checks clips (key, file, text) in order, hearing the ones not heard yet
/// ([`hear_clips`]); `progress(done)` as windows are heard.
///
/// # Errors
/// As [`hear_clips`].
pub fn check_clips(
    store: &Store,
    recognizer: &Recognizer,
    clips: &[(&str, &Path, &str)],
    threads: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<SentenceCheck>> {
    let heard = hear_clips(store, recognizer, clips, threads, progress)?;
    Ok(clips
        .iter()
        .zip(heard)
        .enumerate()
        .map(|(i, ((_, _, text), h))| score(u32::try_from(i).unwrap_or(u32::MAX), text, &h))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slip_is_not_a_flag_a_wrong_sentence_is() {
        assert!(!score(0, "I breathe in calm.", "I breathe in calm").flagged);
        assert!(!score(0, "I breathe in calm.", "I breed in calm").flagged);
        assert!(
            score(
                0,
                "I breathe in calm and let go.",
                "The sun rises over the hills."
            )
            .flagged
        );
        assert!(score(0, "I breathe in calm and let go.", "").flagged);
        assert!(
            score(
                0,
                "I breathe in calm.",
                "I breathe in calm. I breathe in calm."
            )
            .flagged
        );
    }

    #[test]
    fn a_window_is_split_among_its_clips_by_their_texts() {
        let texts = [
            "I breathe in calm.",
            "The river is wide.",
            "Twelve birds sing.",
        ];
        let got = split_by_text(
            "I breathe in calm. The river is wide. 12 birds sing.",
            &texts,
        );
        assert_eq!(
            got,
            ["I breathe in calm.", "The river is wide.", "12 birds sing."]
        );
        // A clip that said nothing gets nothing; its neighbours keep theirs.
        let got = split_by_text("I breathe in calm. 12 birds sing.", &texts);
        assert_eq!(got, ["I breathe in calm.", "", "12 birds sing."]);
        assert!(score(1, texts[1], &got[1]).flagged);
        // A clip that said another sentence is heard as that sentence.
        let got = split_by_text(
            "I breathe in calm. I breathe in calm. 12 birds sing.",
            &texts,
        );
        assert!(score(1, texts[1], &got[1]).flagged, "{got:?}");
        assert!(!score(0, texts[0], &got[0]).flagged, "{got:?}");
    }

    #[test]
    fn a_segment_that_begins_with_the_previous_clips_last_word_gives_it_back() {
        let (back, rest) = leading_words_of_previous(
            "My body is strong, rested and well cared",
            "for. I wake before sunrise.",
            "My body is strong, rested and well cared for.",
            "I wake before sunrise.",
        );
        assert_eq!(
            (back.as_str(), rest.as_str()),
            ("for.", "I wake before sunrise.")
        );
        // A clip that says the sentence before it again keeps what it said.
        let (back, rest) = leading_words_of_previous(
            "I breathe in calm.",
            "I breathe in calm.",
            "I breathe in calm.",
            "The river is wide.",
        );
        assert_eq!((back.as_str(), rest.as_str()), ("", "I breathe in calm."));
    }
}
