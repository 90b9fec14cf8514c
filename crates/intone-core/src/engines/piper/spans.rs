//! Phonemizing an utterance whose words may carry a lexicon's IPA
//! ([`PhonemeSpan`]): the text around the spans is phonemized by espeak-ng
//! as usual, and each span's IPA stands in for its word, inside the clause
//! it belongs to (so the clause keeps its punctuation and intonation).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::engines::espeak::phonemes::{phonemize, Clause};
use crate::engines::EngineError;
use crate::lexicon::{Alphabet, PhonemeSpan};

use super::{ids, PiperEngine, ENGINE};
use crate::engines::SpeechRequest;

/// The clauses of `text` in espeak-ng voice `espeak_voice`, with `spans`'
/// phonemes in place of their words.
///
/// # Errors
/// [`EngineError`] (permanent) when espeak-ng fails, or a span is not IPA
/// or holds a phoneme the voice does not have (`map`): the error names the
/// word and the phonemes.
pub(super) fn phonemize_spans(
    espeak_voice: &str,
    text: &str,
    spans: &[PhonemeSpan],
    map: &HashMap<String, Vec<i64>>,
) -> Result<Vec<Clause>, EngineError> {
    if spans.is_empty() {
        return phonemize(espeak_voice, text);
    }
    let mut out: Vec<Clause> = Vec::new();
    let mut at = 0;
    for s in spans {
        let word = text.get(s.start..s.end).ok_or_else(|| {
            EngineError::permanent(ENGINE, "a lexicon span is outside its sentence")
        })?;
        check_span(word, s, map)?;
        if let Some(before) = text.get(at..s.start).filter(|t| !t.trim().is_empty()) {
            join(&mut out, phonemize(espeak_voice, before)?);
        }
        join(
            &mut out,
            vec![Clause {
                phonemes: s.phonemes.trim().to_string(),
                terminator: None,
                ends_sentence: false,
            }],
        );
        at = s.end;
    }
    if let Some(after) = text.get(at..).filter(|t| !t.trim().is_empty()) {
        join(&mut out, phonemize(espeak_voice, after)?);
    }
    Ok(out)
}

/// Appends `more` to `out`, continuing `out`'s last clause when it has no
/// closing punctuation yet (words of one clause, split by a span).
fn join(out: &mut Vec<Clause>, more: Vec<Clause>) {
    let mut more = more.into_iter();
    if let Some(last) = out.last_mut().filter(|c| c.terminator.is_none()) {
        if let Some(first) = more.next() {
            if !last.phonemes.is_empty() && !first.phonemes.is_empty() {
                last.phonemes.push(' ');
            }
            last.phonemes.push_str(&first.phonemes);
            last.terminator = first.terminator;
            last.ends_sentence = first.ends_sentence;
        }
    }
    out.extend(more);
}

/// A span's phonemes must be IPA the voice knows, phoneme by phoneme.
fn check_span(
    word: &str,
    s: &PhonemeSpan,
    map: &HashMap<String, Vec<i64>>,
) -> Result<(), EngineError> {
    if s.alphabet != Alphabet::Ipa {
        return Err(EngineError::permanent(
            ENGINE,
            format!("lexicon entry \"{word}\": Piper takes IPA phonemes, not espeak-ng's"),
        ));
    }
    let unknown: String = s
        .phonemes
        .nfd()
        .filter(|c| !c.is_whitespace() && !map.contains_key(&c.to_string()))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(EngineError::permanent(
            ENGINE,
            format!(
                "lexicon entry \"{word}\": phonemes \"{}\" hold {unknown:?}, which this voice does not have",
                s.phonemes
            ),
        ))
    }
}

impl PiperEngine {
    /// The IPA phonemes `req` is spoken from, one string per sentence, as
    /// they go to the model (a lexicon's phonemes in place of their words).
    ///
    /// # Errors
    /// As [`SpeechEngine::synthesize`] for a bad voice or bad phonemes.
    pub fn phonemes(&self, req: &SpeechRequest) -> Result<Vec<String>, EngineError> {
        let m = self.model(&req.voice)?;
        let clauses = phonemize_spans(
            &m.config.espeak.voice,
            &req.text,
            &req.phonemes,
            &m.config.phoneme_id_map,
        )?;
        Ok(ids::sentences(&clauses)
            .into_iter()
            .map(|s| s.into_iter().collect::<String>().nfc().collect())
            .collect())
    }
}
