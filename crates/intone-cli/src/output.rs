//! What the CLI prints on stdout: readable tables, or one JSON document.

use intone_core::engines::VoiceInfo;
use intone_core::store::{BatchRow, TrackRow, TrackStatus};
use intone_core::studio::{PhaseTime, TrackCheck};
use intone_core::variants::Variant;
use intone_core::Studio;
use serde_json::json;
use std::time::Duration;

/// The `say --timings` table: `before` (process start: store, engines,
/// reading the text), each phase with its seconds and detail, and the total
/// from process start.
pub fn phase_table(before: Duration, phases: &[PhaseTime], total: Duration) -> String {
    let mut out = String::from("Timings:\n");
    let mut row = |name: &str, s: f64, detail: &str| {
        out.push_str(&format!("  {name:<11} {s:>6.3} s  {detail}\n"));
    };
    row(
        "start",
        before.as_secs_f64(),
        "process, store, engines, text",
    );
    for p in phases {
        row(&p.phase, p.seconds, &p.detail);
    }
    row("total", total.as_secs_f64(), "");
    out
}

/// Prints `v` as pretty JSON on stdout.
pub fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn mmss(ms: Option<i64>) -> String {
    ms.map_or_else(
        || "–".into(),
        |ms| format!("{}:{:02}", ms / 60_000, (ms / 1000) % 60),
    )
}

/// A batch and its tracks after a run.
pub fn batch_result(studio: &Studio, b: &BatchRow, json: bool) -> anyhow::Result<()> {
    let tracks = studio.tracks(b.id)?;
    let checks = flagged_after_run(studio, b.id)?;
    let retakes = studio.batch_retakes(b.id)?;
    if json {
        // Only the flagged sentences: `intone check --json` has every one.
        let flagged: Vec<_> = checks
            .iter()
            .flat_map(|t| {
                t.report.flagged().map(move |s| {
                    json!({ "track_id": t.track_id, "title": t.title, "variant": t.variant,
                            "sentence": s.index, "text": s.text, "heard": s.heard, "wer": s.wer })
                })
            })
            .collect();
        return print_json(
            &json!({ "batch_id": b.id, "status": b.status, "batch": b, "tracks": tracks,
                     "flagged": flagged, "retakes": retakes }),
        );
    }
    self::tracks(&tracks, false)?;
    if retakes.retaken > 0 {
        println!(
            "\nBest of N: {} flagged sentence(s) retaken ({} takes spoken); {} still flagged with their best take.",
            retakes.retaken, retakes.made, retakes.still_flagged
        );
    }
    let flagged = checks.iter().flat_map(|t| t.report.flagged()).count();
    if flagged > 0 {
        println!(
            "
{flagged} sentence(s) flagged by the speech recognizer (listen to them):"
        );
        print_sentences(&checks, false);
        println!("Run `intone regenerate TRACK_ID SENTENCE` to speak one again.");
    } else if !checks.is_empty() {
        let heard: usize = checks.iter().map(|t| t.report.sentences.len()).sum();
        println!(
            "
Every sentence checked ({heard} heard by the speech recognizer): none flagged."
        );
    }
    let dir = tracks
        .iter()
        .find_map(|t| t.output_path.as_deref())
        .and_then(|p| {
            std::path::Path::new(p)
                .parent()
                .map(|d| d.display().to_string())
        });
    println!(
        "\nBatch {} {}: {} of {} completed · {} failed · {} cancelled{}",
        b.id,
        b.status.as_str().replace('_', " "),
        b.completed,
        b.expected,
        b.failed,
        b.cancelled,
        dir.map(|d| format!("\nTracks are in {d}"))
            .unwrap_or_default()
    );
    if b.failed > 0 {
        println!(
            "Run `intone retry {}` to rerun only the failed tracks.",
            b.id
        );
    }
    Ok(())
}

/// Prints the flagged sentences (or every sentence with `all`), by track.
pub fn print_sentences(checks: &[TrackCheck], all: bool) {
    for t in checks {
        let shown: Vec<_> = t
            .report
            .sentences
            .iter()
            .filter(|s| all || s.flagged)
            .collect();
        if shown.is_empty() {
            continue;
        }
        println!(
            "{:02} {} ({}) · track {}",
            t.position + 1,
            t.title,
            t.variant,
            t.track_id
        );
        for s in shown {
            println!(
                "   {} sentence {}: \"{}\"\n      heard: \"{}\" (word error rate {:.0} %)",
                if s.flagged { "⚑" } else { " " },
                s.index + 1,
                s.text,
                s.heard,
                s.wer * 100.0
            );
        }
    }
}

/// The flagged sentences of a finished speech batch, for `generate`'s output:
/// JSON, or printed with a hint. Only what the check step already heard;
/// empty for a batch that is not speech or was made without the check.
fn flagged_after_run(studio: &Studio, batch_id: i64) -> anyhow::Result<Vec<TrackCheck>> {
    Ok(studio.batch_flags(batch_id)?)
}

/// Results of `resume`.
pub fn resume_result(studio: &Studio, batches: &[BatchRow], json: bool) -> anyhow::Result<()> {
    if json {
        let mut all = Vec::new();
        for b in batches {
            all.push(json!({ "batch_id": b.id, "status": b.status, "batch": b, "tracks": studio.tracks(b.id)? }));
        }
        return print_json(&json!({ "batches": all }));
    }
    if batches.is_empty() {
        println!("Nothing to resume: every batch is finished.");
    }
    for b in batches {
        batch_result(studio, b, false)?;
    }
    Ok(())
}

/// One batch row.
pub fn batch_row(b: &BatchRow, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::to_value(b)?);
    }
    println!(
        "Batch {} is {}: {} of {} completed.",
        b.id,
        b.status.as_str().replace('_', " "),
        b.completed,
        b.expected
    );
    Ok(())
}

/// The batch list.
pub fn batches(list: &[BatchRow], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::to_value(list)?);
    }
    if list.is_empty() {
        println!("No batches yet. Try `intone generate SCRIPT.md`.");
    }
    for b in list {
        println!(
            "{:>4}  {:<16} {:>3}/{:<3} done  {:>2} failed  {:<22} {}  {}",
            b.id,
            b.status.as_str(),
            b.completed,
            b.expected,
            b.failed,
            b.engine,
            b.project,
            b.created_at
                .get(..16)
                .unwrap_or(&b.created_at)
                .replace('T', " ")
        );
    }
    Ok(())
}

/// The track list.
pub fn tracks(list: &[TrackRow], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::to_value(list)?);
    }
    for t in list {
        let mark = match t.status {
            TrackStatus::Completed => "✓",
            TrackStatus::Failed => "✗",
            TrackStatus::Cancelled => "–",
            TrackStatus::Running => "…",
            TrackStatus::Pending => "·",
        };
        let detail = match t.status {
            TrackStatus::Completed => format!(
                "{:>6}  {:>6.1} LUFS  {:>5.1} dBTP  {}",
                mmss(t.duration_ms),
                t.loudness_lufs.unwrap_or(f64::NAN),
                t.true_peak_dbtp.unwrap_or(f64::NAN),
                t.output_path.as_deref().unwrap_or("")
            ),
            TrackStatus::Failed => t.error.clone().unwrap_or_default(),
            TrackStatus::Running => t
                .stage
                .map(|s| {
                    if t.units_total > 0 && s == intone_core::store::Step::Convert {
                        format!("{} {}/{}", s.progressive(), t.units_done, t.units_total)
                    } else {
                        s.progressive().to_string()
                    }
                })
                .unwrap_or_default(),
            _ => t.status.as_str().to_string(),
        };
        println!(
            "{mark} {:>3}  {:<28} {:<8} {detail}",
            t.position + 1,
            truncate(&t.title, 28),
            t.variant
        );
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The voice list; JSON `{default, voices, accepts_unlisted}` where
/// `accepts_unlisted` names the engines that send voice ids they do not list.
pub fn voices(
    list: &[VoiceInfo],
    default: &str,
    accepting_unlisted: &[String],
    json: bool,
) -> anyhow::Result<()> {
    if json {
        return print_json(
            &json!({ "default": default, "voices": list, "accepts_unlisted": accepting_unlisted }),
        );
    }
    for v in list {
        println!(
            "{} {:<24} {:<8} {:>6} Hz  {:<8} {}{}",
            if v.id == default { "*" } else { " " },
            v.id,
            v.language,
            v.sample_rate_hz,
            v.quality,
            v.name,
            v.reason
                .as_ref()
                .map(|r| format!("  (unavailable: {r})"))
                .unwrap_or_default()
        );
    }
    println!("\n{} voices; * = default", list.len());
    for e in accepting_unlisted {
        println!(
            "warning: {e} may speak voices it does not list: --voice {e}:ID is sent as is and the server decides"
        );
    }
    Ok(())
}

/// The variant list.
pub fn variants(list: &[Variant], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::to_value(list)?);
    }
    for v in list {
        println!(
            "{:<10} {:>6.1} LUFS  bed {:<8} tempo {:.2}  {}",
            v.name,
            v.target_lufs,
            v.bed.to_string(),
            v.tempo_ratio,
            v.description
        );
    }
    Ok(())
}
