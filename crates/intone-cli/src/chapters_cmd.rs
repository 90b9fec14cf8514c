//! `intone chapters BOOK`: a book's chapters (EPUB, PDF, or a text with
//! chapter lines) with their words and an estimated duration, front and
//! back matter marked, before any work starts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intone_core::book::{self, Matter};

use crate::output::print_json;

/// Words per minute of the duration estimate: an unhurried narration pace.
const NARRATION_WPM: f64 = 155.0;

/// `intone chapters`'s arguments.
#[derive(Args, Debug)]
pub struct ChaptersArgs {
    /// The book (.epub, .pdf, .txt or .md).
    pub book: PathBuf,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `intone chapters`.
pub fn chapters(a: ChaptersArgs) -> anyhow::Result<ExitCode> {
    let b = book::read(&a.book)?;
    if a.json {
        print_json(&serde_json::json!({ "book": b, "narration_wpm": NARRATION_WPM }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let by = b
        .author
        .as_deref()
        .map(|a| format!(" by {a}"))
        .unwrap_or_default();
    println!("{}{by} · {} chapters", b.title, b.chapters.len());
    println!("{:>4}  {:>7}  {:>7}  title", "#", "words", "~time");
    for c in &b.chapters {
        let secs = (f64::from(c.words) / NARRATION_WPM * 60.0).round() as u64;
        let note = match c.matter {
            Some(Matter::Front) => "  (front matter: left out)",
            Some(Matter::Back) => "  (back matter: left out)",
            None if c.words == 0 => "  (no text: skipped)",
            None => "",
        };
        println!(
            "{:>4}  {:>7}  {:>4}:{:02}  {}{note}",
            c.number,
            c.words,
            secs / 60,
            secs % 60,
            c.title
        );
    }
    println!(
        "\nDurations at {NARRATION_WPM:.0} words a minute. Make some with `intone generate {} --chapters 3-7`.",
        a.book.display()
    );
    Ok(ExitCode::SUCCESS)
}
