//! `intone takes`: a speech track's sentences and their takes (list, pick
//! one, mark favourites), and `intone gc`, which prunes takes and reclaims
//! the clip cache. Sentences and takes are numbered from 1, as `intone
//! check` numbers sentences.

use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::Args;
use intone_core::studio::SentenceTakes;
use intone_core::Studio;
use serde_json::json;

use crate::output::print_json;

/// `intone takes TRACK_ID`.
#[derive(Args, Debug)]
pub struct TakesArgs {
    /// Track id (a speech track; see `intone tracks BATCH_ID`).
    pub track_id: i64,
    /// Use take TAKE of sentence SENTENCE (SENTENCE:TAKE, from 1): the track is reassembled,
    /// remixed and remastered from the kept clip; nothing is spoken again.
    #[arg(long = "use", value_name = "SENTENCE:TAKE")]
    pub use_take: Option<String>,
    /// Mark a take as a favourite (SENTENCE:TAKE): pruning and `intone gc` keep it.
    #[arg(long, value_name = "SENTENCE:TAKE")]
    pub favourite: Option<String>,
    /// Remove a take's favourite mark (SENTENCE:TAKE).
    #[arg(long, value_name = "SENTENCE:TAKE")]
    pub unfavourite: Option<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `intone gc`.
#[derive(Args, Debug)]
pub struct GcArgs {
    /// Remember how many takes of each sentence to keep besides the one in use and favourites
    /// (default 5), then prune to it.
    #[arg(long, value_name = "N")]
    pub keep_takes: Option<u32>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Parses `SENTENCE:TAKE` (both from 1) into 0-based numbers.
fn sentence_take(s: &str) -> anyhow::Result<(u32, u32)> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| anyhow!("\"{s}\": give SENTENCE:TAKE, e.g. 3:2"))?;
    let n = |x: &str, what: &str| -> anyhow::Result<u32> {
        x.trim()
            .parse::<u32>()
            .ok()
            .and_then(|v| v.checked_sub(1))
            .ok_or_else(|| anyhow!("\"{s}\": the {what} must be a number from 1"))
    };
    Ok((n(a, "sentence")?, n(b, "take")?))
}

/// Runs `intone takes`: lists, or picks a take and remakes the track.
pub fn takes(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: TakesArgs,
) -> anyhow::Result<ExitCode> {
    for (spec, mark) in [(&a.favourite, true), (&a.unfavourite, false)] {
        if let Some(spec) = spec {
            let (s, t) = sentence_take(spec)?;
            studio.set_take_favourite(a.track_id, s, t, mark)?;
        }
    }
    if let Some(spec) = &a.use_take {
        let (s, t) = sentence_take(spec)?;
        let batch_id = studio.use_take(a.track_id, s, t)?;
        if !a.json {
            eprintln!(
                "Track {}: using take {} of sentence {}; reassembling the track",
                a.track_id,
                t + 1,
                s + 1
            );
        }
        let batch = rt
            .block_on(crate::progress::with_progress(studio, async {
                studio.run_batch(batch_id).await
            }))
            .context("remaking the track")?;
        if a.json {
            let list = studio.sentence_takes(a.track_id)?;
            print_json(
                &json!({ "track_id": a.track_id, "status": batch.status, "sentences": list }),
            )?;
        } else {
            crate::output::batch_result(studio, &batch, false)?;
        }
        return Ok(crate::code_for(batch.status));
    }
    let list = studio.sentence_takes(a.track_id)?;
    if a.json {
        print_json(&json!({ "track_id": a.track_id, "sentences": list }))?;
    } else {
        print_takes(a.track_id, &list);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints each sentence and its takes.
fn print_takes(track_id: i64, list: &[SentenceTakes]) {
    let takes: usize = list.iter().map(|s| s.takes.len()).sum();
    println!("Track {track_id}: {} sentences, {takes} takes", list.len());
    for s in list {
        let who = s
            .speaker
            .as_deref()
            .map(|n| format!("{n}: "))
            .unwrap_or_default();
        println!("{:>4}  {who}{}", s.index + 1, s.text);
        for t in &s.takes {
            let mark = match (t.in_use, t.favourite) {
                (true, true) => "in use ★",
                (true, false) => "in use",
                (false, true) => "★",
                (false, false) => "",
            };
            let heard = match (&t.heard, t.wer) {
                (Some(h), Some(w)) => format!(
                    "WER {:>3.0} %{}  heard \"{h}\"",
                    w * 100.0,
                    if t.flagged { " ⚑" } else { "" }
                ),
                _ => "not heard".into(),
            };
            let gone = if t.path.is_none() {
                "  (collected)"
            } else {
                ""
            };
            println!(
                "        take {:<2} {mark:<9} {:>6.2} s  {heard}{gone}",
                t.take + 1,
                f64::from(t.duration_ms) / 1000.0
            );
        }
    }
    println!("\nPick one with `intone takes {track_id} --use SENTENCE:TAKE`.");
}

/// Runs `intone gc`.
pub fn gc(studio: &Studio, a: GcArgs) -> anyhow::Result<ExitCode> {
    if let Some(n) = a.keep_takes {
        if n == 0 {
            return Err(anyhow!("--keep-takes must be at least 1"));
        }
        studio.set_keep_takes(n)?;
    }
    let r = studio.gc()?;
    if a.json {
        print_json(&json!({ "keep_takes": studio.keep_takes()?, "report": r }))?;
    } else {
        println!(
            "Pruned {} take(s) (keeping {} per sentence besides the one in use and favourites); deleted {} cached clip(s), {:.1} MB freed.",
            r.takes_pruned,
            studio.keep_takes()?,
            r.clips_deleted,
            r.bytes_freed as f64 / 1e6
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::sentence_take;

    #[test]
    fn sentence_take_counts_from_one() {
        assert_eq!(sentence_take("3:2").expect("ok"), (2, 1));
        assert!(sentence_take("0:1").is_err());
        assert!(sentence_take("3").is_err());
        assert!(sentence_take("a:b").is_err());
    }
}
