//! `intone cast SCRIPT`: the speakers a script has and their voices, or
//! what is missing; `intone lexicon …`: the pronunciation lexicon.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use intone_core::lexicon::{Alphabet, Entry, Format};
use intone_core::Studio;
use serde_json::json;

use crate::output::print_json;

/// `intone cast SCRIPT`.
#[derive(Args, Debug)]
pub struct CastArgs {
    /// The script (.md or .txt).
    pub script: PathBuf,
    /// Cast file, as `generate --cast` takes it.
    #[arg(long, value_name = "FILE")]
    pub cast: Option<PathBuf>,
    /// The batch voice (speaks for the narrator when the cast has no NARRATOR).
    #[arg(long)]
    pub voice: Option<String>,
    /// Project whose saved cast applies (default: the script's title).
    #[arg(long)]
    pub project: Option<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Prints the speakers of a script, their sentence counts and voices, and
/// what is missing. Exit status 0 when it can be generated as is, 1 otherwise.
///
/// # Errors
/// A script or cast file that cannot be read.
pub fn cast(studio: &Studio, a: CastArgs) -> anyhow::Result<ExitCode> {
    let script = intone_core::script::parse_file(&a.script)?;
    let project = a.project.unwrap_or_else(|| script.title.clone());
    let cast = studio.cast_of(&script, &project, a.cast.as_deref())?;
    let voice = a.voice.unwrap_or_else(|| studio.engines().default_voice());
    let c = studio.casting(&script, &cast, Some(&voice));
    if a.json {
        print_json(&serde_json::to_value(&c)?)?;
    } else {
        println!("{:<16} {:>9}  VOICE", "SPEAKER", "SENTENCES");
        for s in &c.speakers {
            println!(
                "{:<16} {:>9}  {}",
                s.name,
                s.sentences,
                s.voice.as_deref().unwrap_or("(no voice)")
            );
        }
        for w in &c.warnings {
            eprintln!("intone: warning: {w}");
        }
        for p in &c.problems {
            eprintln!("intone: {p}");
        }
    }
    Ok(if c.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `intone lexicon …`.
#[derive(Args, Debug)]
pub struct LexiconArgs {
    #[command(subcommand)]
    pub command: LexiconCommand,
    /// The project's lexicon instead of the global one.
    #[arg(long, global = true)]
    pub project: Option<String>,
}

/// What to do with the lexicon.
#[derive(Subcommand, Debug)]
pub enum LexiconCommand {
    /// Add an entry (or replace the one for the same word).
    Add(AddArgs),
    /// Remove a word's entry.
    Remove {
        /// The word or phrase.
        word: String,
    },
    /// List the entries.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add every entry of a file (TOML, or tab-separated for .tsv/.tab/.txt).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Write the entries as a file (TOML, or tab-separated for .tsv/.tab/.txt); stdout as TOML when no file.
    Export {
        /// The file.
        file: Option<PathBuf>,
    },
    /// Remake the finished tracks that hold a word (only its sentences are spoken again).
    Apply {
        /// The words whose entries changed (default: every entry).
        words: Vec<String>,
        /// Only list the tracks, do not remake them.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `intone lexicon add WORD …`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The word or phrase as written.
    pub word: String,
    /// How to write it so that any engine says it right.
    #[arg(long)]
    pub respell: Option<String>,
    /// Its phonemes (IPA, or espeak-ng mnemonics with --alphabet espeak).
    #[arg(long)]
    pub phonemes: Option<String>,
    /// How --phonemes is written: ipa (for Piper) or espeak (espeak-ng's mnemonics).
    #[arg(long, default_value = "ipa", value_parser = ["ipa", "espeak"])]
    pub alphabet: String,
    /// Match the case as written.
    #[arg(long)]
    pub case_sensitive: bool,
    /// Match inside longer words too.
    #[arg(long)]
    pub partial: bool,
}

/// Runs `intone lexicon …`.
///
/// # Errors
/// A bad entry or file; store errors.
pub fn lexicon(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: LexiconArgs,
) -> anyhow::Result<ExitCode> {
    let scope = a.project.unwrap_or_default();
    match a.command {
        LexiconCommand::Add(e) => {
            let entry = Entry {
                word: e.word,
                respell: e.respell,
                phonemes: e.phonemes,
                alphabet: if e.alphabet == "espeak" {
                    Alphabet::Espeak
                } else {
                    Alphabet::Ipa
                },
                whole_word: !e.partial,
                case_sensitive: e.case_sensitive,
            };
            studio.lexicon_put(&scope, &entry)?;
            let touched = studio.lexicon_touches(&scope, std::slice::from_ref(&entry))?;
            eprintln!(
                "Added \"{}\"; it touches {} finished track(s): `intone lexicon apply \"{}\"` remakes them",
                entry.word,
                touched.len(),
                entry.word
            );
        }
        LexiconCommand::Remove { word } => {
            studio.lexicon_remove(&scope, &word)?;
            eprintln!("Removed \"{word}\"");
        }
        LexiconCommand::List { json } => {
            let lex = studio.lexicon(&scope)?;
            if json {
                print_json(&serde_json::to_value(&lex)?)?;
            } else {
                print!("{}", lex.to_file_text(Format::Tsv));
            }
        }
        LexiconCommand::Import { file } => {
            let n = studio.lexicon_import(&scope, &file)?;
            eprintln!(
                "Imported {n} entr{} from {}",
                if n == 1 { "y" } else { "ies" },
                file.display()
            );
        }
        LexiconCommand::Export { file } => {
            let lex = studio.lexicon(&scope)?;
            match file {
                Some(f) => {
                    let format = Format::of(&f.to_string_lossy());
                    std::fs::write(&f, lex.to_file_text(format))
                        .with_context(|| format!("{}: cannot write", f.display()))?;
                    eprintln!("Wrote {} entries to {}", lex.entries.len(), f.display());
                }
                None => print!("{}", lex.to_file_text(Format::Toml)),
            }
        }
        LexiconCommand::Apply {
            words,
            dry_run,
            json,
        } => return apply(studio, rt, &scope, &words, dry_run, json),
    }
    Ok(ExitCode::SUCCESS)
}

/// `intone lexicon apply`: lists or remakes the tracks the entries touch.
fn apply(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    scope: &str,
    words: &[String],
    dry_run: bool,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let all = intone_core::lexicon::load(studio.store(), scope)?;
    let entries: Vec<Entry> = if words.is_empty() {
        all.entries
    } else {
        words
            .iter()
            .map(|w| {
                all.entries
                    .iter()
                    .find(|e| e.word.to_lowercase() == w.to_lowercase())
                    .cloned()
                    .unwrap_or_else(|| Entry {
                        // A removed word: the tracks that hold it go back to
                        // being spoken as written.
                        word: w.clone(),
                        respell: Some(w.clone()),
                        phonemes: None,
                        alphabet: Alphabet::Ipa,
                        whole_word: true,
                        case_sensitive: false,
                    })
            })
            .collect()
    };
    let (batches, touched) = if dry_run {
        (Vec::new(), studio.lexicon_touches(scope, &entries)?)
    } else {
        studio.lexicon_apply(scope, &entries)?
    };
    if !as_json {
        for t in &touched {
            eprintln!(
                "track {} (batch {}, {}): {} [{}]: {} sentence(s)",
                t.track_id, t.batch_id, t.project, t.title, t.variant, t.sentences
            );
        }
        if touched.is_empty() {
            eprintln!("No finished track holds these words.");
        }
    }
    let mut results = Vec::new();
    for b in batches {
        let batch = rt.block_on(crate::progress::with_progress(studio, async {
            studio.run_batch(b).await
        }))?;
        if !as_json {
            crate::output::batch_result(studio, &batch, false)?;
        }
        results.push(batch);
    }
    if as_json {
        print_json(&json!({ "touched": touched, "batches": results }))?;
    }
    Ok(results
        .iter()
        .map(|b| crate::code_for(b.status))
        .find(|c| *c != ExitCode::SUCCESS)
        .unwrap_or(ExitCode::SUCCESS))
}

/// `intone pauses PROJECT`.
#[derive(Args, Debug)]
pub struct PausesArgs {
    /// The project (as `intone batches` names it; a script's title by default).
    pub project: String,
    /// Silence after a sentence, ms.
    #[arg(long, value_name = "MS")]
    pub sentence: Option<f64>,
    /// Silence after a paragraph, ms.
    #[arg(long, value_name = "MS")]
    pub paragraph: Option<f64>,
    /// Silence after a heading spoken inside a section (###…), ms.
    #[arg(long, value_name = "MS")]
    pub heading: Option<f64>,
    /// Forget the project's defaults (its variants' own pauses apply).
    #[arg(long)]
    pub reset: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Shows or sets a project's default pauses.
///
/// # Errors
/// A bad value; store errors.
pub fn pauses(studio: &Studio, a: PausesArgs) -> anyhow::Result<ExitCode> {
    let mut p = if a.reset {
        intone_core::studio::PauseDefaults::default()
    } else {
        studio.project_pauses(&a.project)?
    };
    let changed = a.reset || a.sentence.is_some() || a.paragraph.is_some() || a.heading.is_some();
    p.sentence_ms = a.sentence.or(p.sentence_ms);
    p.paragraph_ms = a.paragraph.or(p.paragraph_ms);
    p.heading_ms = a.heading.or(p.heading_ms);
    if changed {
        studio.save_project_pauses(&a.project, &p)?;
    }
    if a.json {
        print_json(&serde_json::to_value(p)?)?;
    } else {
        let show = |v: Option<f64>| v.map_or("the variant's".to_string(), |ms| format!("{ms} ms"));
        println!("Pauses of \"{}\":", a.project);
        println!("  after a sentence:   {}", show(p.sentence_ms));
        println!("  after a paragraph:  {}", show(p.paragraph_ms));
        println!("  after a heading:    {}", show(p.heading_ms));
    }
    Ok(ExitCode::SUCCESS)
}
