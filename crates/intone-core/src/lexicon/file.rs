//! Lexicon files, for import and export.
//!
//! * **TOML**: one key per word. A string is a respelling
//!   (`Nguyen = "Win"`); a table gives the fields of [`Entry`]
//!   (`[Siobhan]` with `phonemes = "ʃɪvˈɔːn"`, `alphabet = "ipa"`,
//!   `respell = "Shiv-awn"`, `whole_word`, `case_sensitive`).
//! * **TSV** (tab-separated): `word`, `respell`, `phonemes`, `alphabet`
//!   (`ipa` or `espeak`, empty = IPA), `options` (comma-separated:
//!   `case` = case-sensitive, `partial` = inside words too). Lines
//!   starting with `#` and empty lines are skipped; trailing columns may
//!   be left out.

use super::{Alphabet, Entry, Lexicon};
use crate::error::{Error, Result};

/// A lexicon file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML, one key per word.
    Toml,
    /// Tab-separated values.
    Tsv,
}

impl Format {
    /// The format of a file named `name`: `.tsv`/`.tab`/`.txt` are TSV,
    /// anything else TOML.
    pub fn of(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if [".tsv", ".tab", ".txt"].iter().any(|e| lower.ends_with(e)) {
            Format::Tsv
        } else {
            Format::Toml
        }
    }
}

/// Most entries a file may hold.
const MAX_ENTRIES: usize = 100_000;

/// Parses a lexicon file's text. `source` names it in errors.
///
/// # Errors
/// [`Error::Config`] naming `source`, the line (TSV) or word, and what is
/// wrong.
pub fn parse(text: &str, format: Format, source: &str) -> Result<Lexicon> {
    let entries = match format {
        Format::Toml => parse_toml(text, source)?,
        Format::Tsv => parse_tsv(text, source)?,
    };
    if entries.len() > MAX_ENTRIES {
        return Err(Error::Config(format!(
            "{source}: more than {MAX_ENTRIES} entries"
        )));
    }
    for e in &entries {
        e.check()
            .map_err(|err| Error::Config(format!("{source}: {err}")))?;
    }
    Ok(Lexicon::default().overlaid(&Lexicon { entries }))
}

fn parse_toml(text: &str, source: &str) -> Result<Vec<Entry>> {
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| Error::Config(format!("{source}: not a TOML lexicon: {e}")))?;
    let mut out = Vec::new();
    for (word, v) in table {
        let entry = match v {
            toml::Value::String(respell) => Entry {
                word,
                respell: Some(respell),
                phonemes: None,
                alphabet: Alphabet::Ipa,
                whole_word: true,
                case_sensitive: false,
            },
            toml::Value::Table(mut t) => {
                t.insert("word".into(), toml::Value::String(word.clone()));
                toml::Value::Table(t)
                    .try_into()
                    .map_err(|e| Error::Config(format!("{source}: entry \"{word}\": {e}")))?
            }
            _ => {
                return Err(Error::Config(format!(
                    "{source}: entry \"{word}\": give a respelling or a table"
                )))
            }
        };
        out.push(entry);
    }
    Ok(out)
}

fn parse_tsv(text: &str, source: &str) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |m: String| Error::Config(format!("{source}: line {}: {m}", i + 1));
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if cols.len() > 5 {
            return Err(bad(format!(
                "{} columns; a lexicon line has at most 5",
                cols.len()
            )));
        }
        let col = |n: usize| cols.get(n).copied().filter(|s| !s.is_empty());
        let alphabet = match col(3) {
            None | Some("ipa") => Alphabet::Ipa,
            Some("espeak") => Alphabet::Espeak,
            Some(other) => return Err(bad(format!("alphabet \"{other}\" is not ipa or espeak"))),
        };
        let (mut case_sensitive, mut whole_word) = (false, true);
        for opt in col(4)
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match opt {
                "case" => case_sensitive = true,
                "partial" => whole_word = false,
                other => return Err(bad(format!("option \"{other}\" is not case or partial"))),
            }
        }
        out.push(Entry {
            word: col(0).ok_or_else(|| bad("no word".into()))?.to_string(),
            respell: col(1).map(str::to_string),
            phonemes: col(2).map(str::to_string),
            alphabet,
            whole_word,
            case_sensitive,
        });
    }
    Ok(out)
}

impl Lexicon {
    /// The lexicon as a file in `format` (read back by [`parse`]).
    pub fn to_file_text(&self, format: Format) -> String {
        match format {
            Format::Toml => {
                let mut t = toml::Table::new();
                for e in &self.entries {
                    let simple = e.phonemes.is_none() && e.whole_word && !e.case_sensitive;
                    let v = match (&e.respell, simple) {
                        (Some(r), true) => toml::Value::String(r.clone()),
                        _ => {
                            let mut v = toml::Value::try_from(e)
                                .unwrap_or_else(|_| toml::Value::Table(toml::Table::new()));
                            if let Some(t) = v.as_table_mut() {
                                t.remove("word");
                            }
                            v
                        }
                    };
                    t.insert(e.word.clone(), v);
                }
                toml::to_string(&t).unwrap_or_default()
            }
            Format::Tsv => {
                let mut s = String::from("# word\trespell\tphonemes\talphabet\toptions\n");
                for e in &self.entries {
                    let mut opts = Vec::new();
                    if e.case_sensitive {
                        opts.push("case");
                    }
                    if !e.whole_word {
                        opts.push("partial");
                    }
                    s.push_str(&format!(
                        "{}\t{}\t{}\t{}\t{}\n",
                        e.word,
                        e.respell.as_deref().unwrap_or(""),
                        e.phonemes.as_deref().unwrap_or(""),
                        match e.alphabet {
                            Alphabet::Ipa => "ipa",
                            Alphabet::Espeak => "espeak",
                        },
                        opts.join(",")
                    ));
                }
                s
            }
        }
    }
}
