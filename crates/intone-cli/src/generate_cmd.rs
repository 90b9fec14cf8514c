//! `intone generate`: scripts → a speech batch (one track per section ×
//! variant), run with live progress.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intone_core::{GenerateRequest, Studio};

use crate::{code_for, encode_args, output, progress};

/// `intone generate`'s arguments.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Script files (.md or .txt) or books (.epub, .pdf, or a .txt with chapter lines).
    #[arg(required = true)]
    scripts: Vec<PathBuf>,
    /// Voice as engine:voice (see `intone voices`). Default: the best installed voice.
    #[arg(long)]
    voice: Option<String>,
    /// Variant (repeat for several). Default: voice.
    #[arg(long = "variant", value_name = "NAME")]
    variants: Vec<String>,
    #[command(flatten)]
    out: encode_args::DeliveryArgs,
    /// Project name (default: the first script's title).
    #[arg(long)]
    project: Option<String>,
    /// Do not check each sentence with the speech recognizer (it is on by default).
    #[arg(long)]
    no_check: bool,
    /// Cast file (TOML: SPEAKER = "engine:voice" lines), overriding the project's saved cast,
    /// a cast.toml beside the script and the script's front matter, speaker by speaker.
    #[arg(long, value_name = "FILE")]
    cast: Option<PathBuf>,
    /// Start each SRT cue with its speaker's name ("MARA: …"); WebVTT always has voice spans.
    #[arg(long)]
    srt_speakers: bool,
    /// Best of N (1–9; 1 = off): each sentence the check flags is spoken up to N − 1 more
    /// times and the take the speech recognizer hears best is kept. Needs the check.
    #[arg(long, value_name = "N", default_value_t = 1)]
    best_of: u32,
    /// A book's chapters to make ("3-7", "1,4,9-12"; numbered as `intone chapters` lists them).
    /// Default: every chapter that is not front or back matter.
    #[arg(long, value_name = "LIST")]
    chapters: Option<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
}

/// Plans, records and runs a speech batch; prints its result.
///
/// # Errors
/// A bad script, voice, variant or setting (nothing recorded); store errors.
pub fn generate(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: GenerateArgs,
) -> anyhow::Result<ExitCode> {
    let req = GenerateRequest {
        scripts: a.scripts,
        voice: a.voice,
        variants: a.variants,
        delivery: a.out.delivery()?,
        project: a.project,
        check: !a.no_check,
        cast: a.cast,
        roles: None,
        srt_speakers: a.srt_speakers,
        best_of: a.best_of,
        chapters: a.chapters,
    };
    let mut plan = studio.plan(&req)?;
    rt.block_on(studio.prepare_beds(&mut plan))?;
    for w in &plan.warnings {
        eprintln!("intone: warning: {w}");
    }
    let batch_id = studio.create_batch(&plan)?;
    if !a.json {
        eprintln!(
            "Batch {batch_id}: {} tracks ({} sections × {}) with {}",
            plan.track_count(),
            plan.track_count() / plan.variants.len().max(1),
            plan.variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            plan.voice
        );
    }
    let batch = rt.block_on(progress::with_progress(studio, async {
        studio.run_batch(batch_id).await
    }))?;
    output::batch_result(studio, &batch, a.json)?;
    Ok(code_for(batch.status))
}
