//! `intone convert` and `intone converters`: recordings through a converter
//! into a `conversion` batch, run by the same pipeline as speech.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intone_core::engines::conversion::ConverterInfo;
use intone_core::store::BatchStatus;
use intone_core::studio::{AlreadyConverted, ConvertRequest};
use intone_core::Studio;
use serde_json::json;

use crate::{code_for, output, progress};

/// Options of `intone convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Audio files (WAV, MP3, M4A/AAC, MP4/MOV, FLAC, OGG, Opus…).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub opts: ConvertOpts,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Options of `intone watch`.
#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Folder to watch (stored, so watching survives restarts). Without it,
    /// every stored folder is watched.
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: ConvertOpts,
    /// Take what is in the folders now, convert it, and exit.
    #[arg(long)]
    pub once: bool,
    /// List watched folders and exit.
    #[arg(long, conflicts_with_all = ["dir", "remove"])]
    pub list: bool,
    /// Stop watching this folder and exit.
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    pub remove: Option<String>,
}

/// How files are converted (shared by `convert` and `watch`).
#[derive(Args, Debug)]
pub struct ConvertOpts {
    /// Converter (see `intone converters`). Default: builtin.
    #[arg(long)]
    pub converter: Option<String>,
    /// A converter setting, e.g. --set preset=deeper (repeat for several).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = crate::encode_args::key_value)]
    pub set: Vec<(String, String)>,
    #[command(flatten)]
    pub out: DeliveryOpts,
    /// Longest chunk in seconds (default: the converter's limit, 30 s for builtin).
    #[arg(long, value_name = "S")]
    pub max_chunk_s: Option<f64>,
}

/// How a recording's result is delivered (shared by `convert`, `watch` and
/// `transcribe`).
#[derive(Args, Debug)]
pub struct DeliveryOpts {
    #[command(flatten)]
    pub delivery: crate::encode_args::DeliveryArgs,
    /// Project name (default: Conversions, or Transcripts for `transcribe`).
    #[arg(long)]
    pub project: Option<String>,
    /// Do again files already done with the same settings.
    #[arg(long)]
    pub force: bool,
}

impl ConvertOpts {
    fn request(&self, files: Vec<PathBuf>) -> anyhow::Result<ConvertRequest> {
        let o = &self.out;
        Ok(ConvertRequest {
            files,
            converter: self.converter.clone(),
            settings: self.set.iter().cloned().collect(),
            delivery: o.delivery.delivery()?,
            max_chunk_s: self.max_chunk_s,
            project: o.project.clone(),
            force: o.force,
        })
    }
}

/// Runs `intone convert`.
pub fn convert(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: ConvertArgs,
) -> anyhow::Result<ExitCode> {
    let req = a.opts.request(a.files)?;
    let plan = studio.plan_conversion(&req)?;
    let batch_id = studio.create_conversion_batch(&plan)?;
    let label = plan.tracks.first().map_or("", |t| t.variant.as_str());
    run_files(
        studio,
        rt,
        &FilesBatch {
            batch_id,
            what: format!("{} file(s) with {label}", plan.tracks.len()),
            done_before: "already converted",
            already: &plan.already,
            rejected: &plan.rejected,
        },
        a.json,
    )
}

/// A batch made from files (conversion or transcription), as planned.
pub struct FilesBatch<'a> {
    /// The new batch; `None` when nothing was new.
    pub batch_id: Option<i64>,
    /// What it does, for the first line ("2 file(s) with builtin").
    pub what: String,
    /// How a file done before is described ("already converted").
    pub done_before: &'a str,
    /// Files done before with the same settings.
    pub already: &'a [AlreadyConverted],
    /// Files that cannot be used, one line each.
    pub rejected: &'a [String],
}

/// Reports a planned files batch, runs it with progress and prints the
/// result (`--json`: one document with `already` and `rejected`). Exit
/// status: 1 when nothing could be done, 2 when some files were rejected.
pub fn run_files(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    f: &FilesBatch<'_>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    for r in f.rejected {
        eprintln!("intone: {r}");
    }
    for d in f.already {
        eprintln!(
            "{}: {} in batch {} → {} (use --force to do it again)",
            d.file, f.done_before, d.batch_id, d.output_path
        );
    }
    let Some(batch_id) = f.batch_id else {
        if json {
            output::print_json(&json!({
                "batch_id": null, "status": null, "batch": null, "tracks": [],
                "already": f.already, "rejected": f.rejected,
            }))?;
        }
        return Ok(if f.already.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    };
    if !json {
        eprintln!("Batch {batch_id}: {}", f.what);
    }
    let batch = rt.block_on(progress::with_progress(studio, async {
        studio.run_batch(batch_id).await
    }))?;
    if json {
        output::print_json(&json!({
            "batch_id": batch.id, "status": batch.status, "batch": batch,
            "tracks": studio.tracks(batch.id)?,
            "already": f.already, "rejected": f.rejected,
        }))?;
    } else {
        output::batch_result(studio, &batch, false)?;
    }
    Ok(
        if batch.status == BatchStatus::Completed && !f.rejected.is_empty() {
            ExitCode::from(2)
        } else {
            code_for(batch.status)
        },
    )
}

/// Runs `intone converters`.
pub fn converters(studio: &Studio, json: bool) -> anyhow::Result<ExitCode> {
    for w in studio.converter_warnings() {
        eprintln!("intone: warning: {w}");
    }
    let list = studio.converters();
    if json {
        output::print_json(&serde_json::to_value(&list)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for c in &list {
        print_converter(c);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_converter(c: &ConverterInfo) {
    println!(
        "{:<12} {:<8} {}{}",
        c.id,
        c.kind,
        c.description,
        c.reason
            .as_ref()
            .map(|r| format!("  (unavailable: {r})"))
            .unwrap_or_default()
    );
    println!(
        "{:<12} chunks up to {:.0} s, {} at once",
        "",
        c.max_chunk_ms / 1000.0,
        c.concurrency
    );
    for s in &c.settings {
        let values = if s.choices.is_empty() {
            String::new()
        } else {
            format!(" [{}]", s.choices.join(", "))
        };
        let default = if s.default.is_empty() {
            String::new()
        } else {
            format!(" (default {})", s.default)
        };
        println!(
            "{:<12}   --set {}=…{values}{default}: {}",
            "", s.name, s.description
        );
    }
}

/// Runs `intone watch`.
pub fn watch(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: WatchArgs,
) -> anyhow::Result<ExitCode> {
    if a.list {
        for f in studio.watch_folders()? {
            println!(
                "{}  converter {} {}",
                f.path,
                f.request.converter.as_deref().unwrap_or("builtin"),
                f.request
                    .settings
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &a.remove {
        studio.remove_watch_folder(dir)?;
        eprintln!("No longer watching {dir} (its files stay where they are).");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &a.dir {
        let f = studio.add_watch_folder(dir, &a.opts.request(vec![])?)?;
        eprintln!(
            "Watching {} (files are moved to {}/processed once taken)",
            f.path, f.path
        );
    }
    if studio.watch_folders()?.is_empty() {
        anyhow::bail!("no folder is watched: give one, e.g. `intone watch ~/Recordings/inbox`");
    }
    let print = |r: &intone_core::studio::ScanReport| {
        for l in &r.lines {
            eprintln!("{l}");
        }
    };
    if a.once {
        let mut w = intone_core::studio::Watcher::default();
        let report = studio.scan_watch_folders(&mut w)?;
        print(&report);
        let mut worst = ExitCode::SUCCESS;
        for id in report.batches {
            let b = rt.block_on(progress::with_progress(studio, async {
                studio.run_batch(id).await
            }))?;
            output::batch_result(studio, &b, false)?;
            if b.status != BatchStatus::Completed {
                worst = code_for(b.status);
            }
        }
        return Ok(worst);
    }
    eprintln!("Waiting for files (Ctrl+C to stop).");
    rt.block_on(progress::with_progress(studio, async {
        studio.watch(|| false, print).await
    }))?;
    Ok(ExitCode::SUCCESS)
}
