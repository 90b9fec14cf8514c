//! `intone export`: one file per script, a chapter per track, with its
//! subtitles.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intone_core::audio::encode::EncodeOptions;
use intone_core::studio::BookRequest;
use intone_core::Studio;

use crate::encode_args::EncodeArgs;

/// `intone export BATCH_ID OUT`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Batch id.
    pub batch_id: i64,
    /// The file to write; its extension picks the format: .mp3, .m4b (AAC through ffmpeg), .opus, .flac, .wav.
    pub out: PathBuf,
    /// Which variant's tracks (default: the variant of the batch's first track).
    #[arg(long)]
    pub variant: Option<String>,
    /// Title tag (default: the project's name).
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub encode: EncodeArgs,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `intone export`.
pub fn export(studio: &Studio, a: ExportArgs) -> anyhow::Result<ExitCode> {
    let batch = studio.store().batch(a.batch_id)?;
    // The batch's own settings unless one was given on the command line.
    let given = a.encode.options();
    let encode = if given == EncodeOptions::default() {
        None
    } else {
        Some(given)
    };
    let report = studio.export_book(&BookRequest {
        batch_id: a.batch_id,
        variant: a.variant,
        out: a.out,
        encode,
        title: a.title,
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let clock = |ms: u64| {
        format!(
            "{}:{:02}:{:02}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60
        )
    };
    println!(
        "{} — {} chapters, {} ({})",
        report.path.display(),
        report.chapters.len(),
        clock(report.duration_ms),
        batch.project
    );
    for (i, c) in report.chapters.iter().enumerate() {
        println!("  {:>3}  {}  {}", i + 1, clock(c.start_ms), c.title);
    }
    if let Some(l) = report.loudness {
        println!(
            "  {:.1} LUFS, {:.1} dBTP",
            l.integrated_lufs, l.true_peak_dbtp
        );
    }
    for p in [&report.srt, &report.vtt].into_iter().flatten() {
        println!("  subtitles: {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
