//! `intone transcribe`: recordings heard by the speech recognizer without
//! converting them (a `transcription` batch on the same pipeline); each
//! gets its text, SRT and WebVTT beside a mastered copy, and the text is
//! printed with its times.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intone_core::studio::TranscribeRequest;
use intone_core::Studio;

use crate::convert_cmd::{run_files, DeliveryOpts, FilesBatch};

/// Options of `intone transcribe`.
#[derive(Args, Debug)]
pub struct TranscribeArgs {
    /// Audio or video files (WAV, MP3, M4A/AAC, MP4/MOV, FLAC, OGG, Opus…).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub out: DeliveryOpts,
    /// Print one JSON document on stdout (the transcripts are in the files
    /// it names).
    #[arg(long)]
    pub json: bool,
}

/// Runs `intone transcribe`.
pub fn transcribe(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: TranscribeArgs,
) -> anyhow::Result<ExitCode> {
    let o = &a.out;
    let req = TranscribeRequest {
        files: a.files.clone(),
        delivery: o.delivery.delivery()?,
        project: o.project.clone(),
        force: o.force,
    };
    let plan = studio.plan_transcription(&req)?;
    let batch_id = studio.create_transcription_batch(&plan)?;
    let code = run_files(
        studio,
        rt,
        &FilesBatch {
            batch_id,
            what: format!("{} recording(s) to transcribe", plan.tracks.len()),
            done_before: "already transcribed",
            already: &plan.already,
            rejected: &plan.rejected,
        },
        a.json,
    )?;
    if !a.json {
        let mut ids: Vec<(String, i64)> = plan
            .already
            .iter()
            .map(|d| (d.file.clone(), d.track_id))
            .collect();
        if let Some(id) = batch_id {
            ids.extend(studio.tracks(id)?.into_iter().map(|t| (t.title, t.id)));
        }
        for (title, track_id) in ids {
            print_transcript(studio, &title, track_id)?;
        }
    }
    Ok(code)
}

/// Prints a track's transcript lines as `m:ss  text`, under its title.
fn print_transcript(studio: &Studio, title: &str, track_id: i64) -> anyhow::Result<()> {
    let Some(lines) = studio.transcript(track_id)? else {
        return Ok(());
    };
    println!("\n{title}");
    for l in lines {
        let s = l.start_ms / 1000;
        println!("  {}:{:02}  {}", s / 60, s % 60, l.text);
    }
    Ok(())
}
