//! `intone convert` and `intone converters`: recordings through a converter
//! into a `conversion` batch, run by the same pipeline as speech.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intone_core::audio::encode::Format;
use intone_core::engines::conversion::{ConverterInfo, Settings};
use intone_core::store::BatchStatus;
use intone_core::studio::{ConvertPlan, ConvertRequest, DEFAULT_CONVERT_LUFS};
use intone_core::Studio;
use serde_json::json;

use crate::{code_for, output, progress};

/// Options of `intone convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Audio files (WAV, MP3, M4A/AAC, MP4/MOV, FLAC, OGG…).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Converter (see `intone converters`). Default: builtin.
    #[arg(long)]
    pub converter: Option<String>,
    /// A converter setting, e.g. --set preset=deeper (repeat for several).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "wav", value_parser = ["wav", "flac"])]
    pub format: String,
    /// Output sample rate in Hz (44100 or 48000).
    #[arg(long, default_value_t = 48_000)]
    pub sample_rate: u32,
    /// Output bit depth (16 or 24).
    #[arg(long, default_value_t = 16)]
    pub bit_depth: u16,
    /// Loudness target, LUFS.
    #[arg(long, default_value_t = DEFAULT_CONVERT_LUFS, allow_negative_numbers = true)]
    pub target_lufs: f64,
    /// Longest chunk in seconds (default: the converter's limit, 30 s for builtin).
    #[arg(long, value_name = "S")]
    pub max_chunk_s: Option<f64>,
    /// Project name (default: Conversions).
    #[arg(long)]
    pub project: Option<String>,
    /// Convert again files already converted with the same settings.
    #[arg(long)]
    pub force: bool,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

fn settings(pairs: &[String]) -> anyhow::Result<Settings> {
    let mut s = Settings::new();
    for p in pairs {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--set {p}: expected KEY=VALUE"))?;
        s.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(s)
}

/// Runs `intone convert`.
pub fn convert(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: ConvertArgs,
) -> anyhow::Result<ExitCode> {
    let req = ConvertRequest {
        files: a.files,
        converter: a.converter,
        settings: settings(&a.set)?,
        format: a.format.parse::<Format>()?,
        sample_rate_hz: a.sample_rate,
        bit_depth: a.bit_depth,
        target_lufs: a.target_lufs,
        max_chunk_s: a.max_chunk_s,
        project: a.project,
        force: a.force,
    };
    let plan = studio.plan_conversion(&req)?;
    for r in &plan.rejected {
        eprintln!("intone: {r}");
    }
    for d in &plan.already {
        eprintln!(
            "{}: already converted in batch {} → {} (use --force to convert it again)",
            d.file, d.batch_id, d.output_path
        );
    }
    let Some(batch_id) = studio.create_conversion_batch(&plan)? else {
        if a.json {
            output::print_json(&json!({
                "batch_id": null, "status": null, "batch": null, "tracks": [],
                "already": plan.already, "rejected": plan.rejected,
            }))?;
        }
        return Ok(if plan.already.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    };
    if !a.json {
        eprintln!(
            "Batch {batch_id}: {} file(s) with {}",
            plan.tracks.len(),
            plan.tracks.first().map_or("", |t| t.variant.as_str())
        );
    }
    let batch = rt.block_on(progress::with_progress(studio, async {
        studio.run_batch(batch_id).await
    }))?;
    if a.json {
        output::print_json(&json!({
            "batch_id": batch.id, "status": batch.status, "batch": batch,
            "tracks": studio.tracks(batch.id)?,
            "already": plan.already, "rejected": plan.rejected,
        }))?;
    } else {
        output::batch_result(studio, &batch, false)?;
    }
    Ok(worst(&plan, batch.status))
}

/// A batch that completed still exits 2 when some files were rejected.
fn worst(plan: &ConvertPlan, status: BatchStatus) -> ExitCode {
    if status == BatchStatus::Completed && !plan.rejected.is_empty() {
        ExitCode::from(2)
    } else {
        code_for(status)
    }
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
