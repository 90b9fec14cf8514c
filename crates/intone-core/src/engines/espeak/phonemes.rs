//! Text → IPA phonemes with espeak-ng, clause by clause, keeping each clause's
//! punctuation (which neural voices such as Piper need for pauses and
//! intonation).
//!
//! Debian's espeak-ng 1.51 has no `espeak_TextToPhonemesWithTerminator`, and
//! plain `espeak_TextToPhonemes` drops the clause's punctuation. Its text
//! pointer, however, tells how far each clause reached — one character past
//! the clause (it has read the first character of the next one). The
//! terminator is recovered from that consumed slice, less its last character.

use std::ffi::{c_void, CStr, CString};

use super::{ffi, with_espeak, Espeak, ENGINE};
use crate::engines::EngineError;

/// One clause as espeak-ng phonemized it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// IPA phonemes (with stress marks; words separated by spaces).
    pub phonemes: String,
    /// The clause's closing punctuation: one of `. , ? ! : ;`, if any.
    pub terminator: Option<char>,
    /// Whether the clause ends a sentence (`.`, `?`, `!`).
    pub ends_sentence: bool,
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»')
}

/// The terminator of a clause from the text espeak consumed for it.
pub(crate) fn terminator_of(consumed: &str) -> Option<char> {
    let t = consumed.trim_end().trim_end_matches(is_closer).trim_end();
    match t.chars().last()? {
        c @ ('.' | ',' | '?' | '!' | ':' | ';') => Some(c),
        '…' => Some('.'),
        '—' | '–' => Some(','),
        _ => None,
    }
}

/// Starts espeak-ng and selects `voice`, so that the first [`phonemize`]
/// pays for neither (loading the phoneme tables and the voice's rules).
///
/// # Errors
/// [`EngineError`] (permanent) when espeak-ng cannot start or has no `voice`.
pub fn prepare(voice: &str) -> Result<(), EngineError> {
    with_espeak(|e| select_voice(e, voice))
}

/// Makes `voice` espeak-ng's current voice unless it already is.
fn select_voice(e: &mut Espeak, voice: &str) -> Result<(), EngineError> {
    if e.current_voice.as_deref() == Some(voice) {
        return Ok(());
    }
    if !super::set_voice(voice)? {
        e.current_voice = None;
        return Err(EngineError::permanent(
            ENGINE,
            format!("unknown espeak-ng voice \"{voice}\""),
        ));
    }
    e.current_voice = Some(voice.to_string());
    Ok(())
}

/// Phonemizes `text` with espeak-ng voice `voice` (e.g. `en-us`).
///
/// # Errors
/// [`EngineError`] (permanent) for an unknown voice or a text espeak rejects.
pub fn phonemize(voice: &str, text: &str) -> Result<Vec<Clause>, EngineError> {
    let c_text = CString::new(text.replace('\0', " "))
        .map_err(|_| EngineError::permanent(ENGINE, "text contains a NUL byte"))?;
    with_espeak(|e| {
        select_voice(e, voice)?;
        let bytes = c_text.as_bytes();
        let base = c_text.as_ptr();
        let mut ptr: *const c_void = base.cast();
        let mut start = 0usize;
        let mut out = Vec::new();
        while !ptr.is_null() {
            // SAFETY: `ptr` points into `c_text` (NUL-terminated, alive for the loop);
            // espeak advances it clause by clause and sets it to NULL at the end.
            let ph = unsafe {
                ffi::espeak_TextToPhonemes(&mut ptr, ffi::TEXTMODE_UTF8, ffi::PHONEMES_IPA)
            };
            let end = if ptr.is_null() {
                bytes.len()
            } else {
                // Offset of the new position, less the one character of the next clause already read.
                let off = (ptr as usize)
                    .saturating_sub(base as usize)
                    .min(bytes.len());
                let mut b = off.saturating_sub(1);
                while b > start && !text.is_char_boundary(b) {
                    b -= 1;
                }
                b.max(start)
            };
            let consumed = text.get(start..end).unwrap_or("");
            start = end;
            let phonemes = if ph.is_null() {
                String::new()
            } else {
                // SAFETY: espeak returns a NUL-terminated string in its own buffer,
                // valid until the next call; copied at once.
                unsafe { CStr::from_ptr(ph) }.to_string_lossy().into_owned()
            };
            let terminator = terminator_of(consumed);
            if phonemes.trim().is_empty() && terminator.is_none() {
                continue;
            }
            out.push(Clause {
                phonemes: phonemes.trim().to_string(),
                terminator,
                ends_sentence: matches!(terminator, Some('.' | '?' | '!')),
            });
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminators_come_from_the_consumed_text() {
        assert_eq!(terminator_of("Hello, "), Some(','));
        assert_eq!(terminator_of("are you sure?\" "), Some('?'));
        assert_eq!(terminator_of("no stop"), None);
        assert_eq!(terminator_of("after a pause… "), Some('.'));
    }

    #[test]
    fn clauses_keep_their_punctuation() {
        let c = phonemize("en-us", "Hello, world. How are you?").expect("phonemize");
        let marks: Vec<_> = c.iter().map(|x| (x.terminator, x.ends_sentence)).collect();
        assert_eq!(
            marks,
            vec![(Some(','), false), (Some('.'), true), (Some('?'), true)],
            "{c:?}"
        );
        assert!(c[0].phonemes.starts_with("həl"), "{c:?}");
        let c = phonemize("en-us", "No punctuation at the end").expect("phonemize");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].terminator, None);
    }
}
