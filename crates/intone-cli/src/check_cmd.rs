//! `intone check`: every sentence of a speech batch heard by the speech
//! recognizer and compared with its text; and `intone regenerate`, a new
//! take of one sentence. (The flagged sentences that `generate`, `resume`
//! and `retry` print after a run are in [`crate::output`].)

use std::process::ExitCode;

use clap::Args;
use intone_core::Studio;
use serde_json::json;

use crate::output::{print_json, print_sentences};

/// `intone check BATCH_ID`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Batch id (a speech batch).
    pub batch_id: i64,
    /// Print every sentence with what was heard, not only the flagged ones.
    #[arg(long)]
    pub all: bool,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `intone regenerate TRACK_ID SENTENCE`.
#[derive(Args, Debug)]
pub struct RegenerateArgs {
    /// Track id (as `intone check` and `intone tracks` show it).
    pub track_id: i64,
    /// Sentence number in the track (1-based, as `intone check` shows it).
    pub sentence: u32,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `intone regenerate`: a new take of one sentence, then the track's
/// later steps; prints the batch as `generate` does (with what is still
/// flagged).
pub fn regenerate(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: RegenerateArgs,
) -> anyhow::Result<ExitCode> {
    let index = a
        .sentence
        .checked_sub(1)
        .ok_or_else(|| anyhow::anyhow!("sentences are numbered from 1"))?;
    let batch_id = studio.regenerate_utterance(a.track_id, index)?;
    if !a.json {
        eprintln!(
            "Track {}: speaking sentence {} again, then remaking the track",
            a.track_id, a.sentence
        );
    }
    let batch = rt.block_on(crate::progress::with_progress(studio, async {
        studio.run_batch(batch_id).await
    }))?;
    crate::output::batch_result(studio, &batch, a.json)?;
    Ok(crate::code_for(batch.status))
}

/// Runs `intone check`: hears the sentences not heard yet (cached with their
/// clips), then reports. Exit status 0 when nothing is flagged, 1 otherwise.
pub fn check(studio: &Studio, a: CheckArgs) -> anyhow::Result<ExitCode> {
    let checks = studio.check_batch(a.batch_id, true)?;
    let flagged = checks.iter().flat_map(|t| t.report.flagged()).count();
    if a.json {
        print_json(&json!({ "batch_id": a.batch_id, "flagged": flagged, "tracks": checks }))?;
    } else {
        let sentences: usize = checks.iter().map(|t| t.report.sentences.len()).sum();
        println!(
            "Batch {}: {sentences} sentences in {} tracks heard by the speech recognizer; {flagged} flagged.",
            a.batch_id,
            checks.len()
        );
        print_sentences(&checks, a.all);
    }
    Ok(if flagged == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
