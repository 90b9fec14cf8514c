//! Piper's phoneme → id scheme (as in Piper 1.8 `phonemes_to_ids`):
//! `^` (BOS), `_` (pad), then each phoneme followed by `_`, then `$` (EOS).
//! A phoneme is one Unicode code point of the NFD-decomposed IPA string;
//! `(xx)` language-switch flags are dropped; the clause's punctuation is kept,
//! followed by a space after `, : ;`.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::engines::espeak::phonemes::Clause;

/// Groups clauses into sentences of phonemes (one code point each).
pub fn sentences(clauses: &[Clause]) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur: Vec<char> = Vec::new();
    for c in clauses {
        let mut s = strip_language_flags(&c.phonemes);
        if let Some(t) = c.terminator {
            s.push(t);
            if matches!(t, ',' | ':' | ';') {
                s.push(' ');
            }
        }
        cur.extend(s.nfd());
        if c.ends_sentence {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn strip_language_flags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Ids for one sentence. Phonemes missing from the map are skipped (as Piper
/// does); returns them too so the caller can warn.
pub fn to_ids(phonemes: &[char], map: &HashMap<String, Vec<i64>>) -> (Vec<i64>, Vec<char>) {
    let get = |k: &str| map.get(k).cloned().unwrap_or_default();
    let pad = get("_");
    let mut ids = get("^");
    ids.extend(&pad);
    let mut missing = Vec::new();
    let mut key = String::with_capacity(4);
    for &p in phonemes {
        key.clear();
        key.push(p);
        match map.get(&key) {
            Some(v) => {
                ids.extend(v);
                ids.extend(&pad);
            }
            None => missing.push(p),
        }
    }
    ids.extend(get("$"));
    (ids, missing)
}
