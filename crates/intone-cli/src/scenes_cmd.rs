//! `intone scenes`: score a scene list (TOML, Markdown or CSV) into one
//! piece fitted to a video's length or a target, then show a score's
//! scenes, regenerate one scene, or export the score and the scored video.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use intone_core::store::BatchRow;
use intone_core::studio::{SceneChange, ScoreRequest};
use intone_core::Studio;
use serde_json::json;

use crate::{code_for, output, progress};

/// Options of `intone scenes`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ScenesArgs {
    #[command(subcommand)]
    pub command: Option<ScenesCommand>,
    /// The scene list: .toml, .md or .csv (see docs/guide/scenes.md).
    #[arg(required = true)]
    pub scenes_file: Option<PathBuf>,
    /// The video to score: its duration is the target (MP4, MOV, MKV, WebM).
    #[arg(long, conflicts_with = "duration")]
    pub video: Option<PathBuf>,
    /// Target length: seconds or a timecode (60, 1:00). Overrides the list's.
    #[arg(long)]
    pub duration: Option<String>,
    /// Music engine (see `intone models`). Default: the list's, else builtin.
    #[arg(long)]
    pub engine: Option<String>,
    /// The engine's model.
    #[arg(long)]
    pub model: Option<String>,
    /// Crossfade on each scene boundary, ms. Default: the list's, else 1000.
    #[arg(long)]
    pub crossfade_ms: Option<u32>,
    /// How the score is fitted to the target length.
    #[arg(long, value_parser = ["trim", "stretch", "compress"])]
    pub fit: Option<String>,
    /// What a scene that cannot be generated becomes.
    #[arg(long, value_parser = ["continue_with_silence", "halt"])]
    pub on_error: Option<String>,
    /// Where scene changes fall: none (as listed) or bar (on the outgoing take's nearest bar
    /// line, within 2 s). Default: the list's, else none.
    #[arg(long, value_parser = ["none", "bar"])]
    pub snap: Option<String>,
    #[command(flatten)]
    pub delivery: crate::encode_args::DeliveryArgs,
    /// Name of the score (default: the list's title, else the video's name).
    #[arg(long)]
    pub title: Option<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `intone scenes …` subcommands.
#[derive(Subcommand, Debug)]
pub enum ScenesCommand {
    /// Show a score's scenes: where each starts, its state and its take.
    Show {
        /// Track id of the score.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make one scene again (new seed, or new prompt); the others are reused.
    Regenerate {
        /// Track id of the score.
        id: i64,
        /// Scene number (1-based).
        scene: u32,
        /// Its new seed (default: a new random one).
        #[arg(long)]
        seed: Option<u32>,
        /// Its new prompt (default: the same).
        #[arg(long)]
        prompt: Option<String>,
        /// Print one JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Delete a score: its track, its file, its waveform and its scenes' takes.
    Delete {
        /// Track id of the score.
        id: i64,
    },
    /// Export the score (.wav/.flac) and/or a copy of its video with the score.
    Export {
        /// Track id of the score.
        id: i64,
        /// Write the score here (.wav or .flac).
        #[arg(long)]
        to: Option<PathBuf>,
        /// Write the scored video here (default: "<video> (scored).<ext>" beside the score).
        #[arg(long)]
        video_out: Option<PathBuf>,
        /// Skip the scored video.
        #[arg(long)]
        no_video: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `intone scenes`.
pub fn scenes(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: ScenesArgs,
) -> anyhow::Result<ExitCode> {
    if let Some(cmd) = a.command {
        return subcommand(studio, rt, cmd);
    }
    let file = a.scenes_file.unwrap_or_default();
    let list = intone_core::script::scenes::read_file(&file)?;
    let mut order = ScoreRequest::from_list(list)?;
    if let Some(d) = &a.duration {
        order.target_ms = Some(
            intone_core::script::scenes::parse_length(d)
                .map_err(|e| anyhow::anyhow!("--duration: {e}"))?,
        );
    }
    if a.video.is_some() {
        order.target_ms = None;
        order.video = a.video;
    }
    if a.engine.is_some() {
        order.engine = a.engine;
    }
    if a.model.is_some() {
        order.model = a.model;
    }
    if let Some(x) = a.crossfade_ms {
        order.crossfade_ms = x;
    }
    if let Some(f) = &a.fit {
        order.fit = f.parse()?;
    }
    if let Some(e) = &a.on_error {
        order.on_error = e.parse()?;
    }
    if let Some(x) = &a.snap {
        order.snap = x.parse()?;
    }
    if a.title.is_some() {
        order.title = a.title;
    }
    order.delivery = a.delivery.delivery()?;
    let batch_id = studio.create_scenes_batch(&order)?;
    let track_id = studio.tracks(batch_id)?.first().map_or(0, |t| t.id);
    if !a.json {
        let r = studio.score_recipe(track_id)?;
        eprintln!(
            "Batch {batch_id}: score {track_id}, {} scenes → {:.3} s ({}, crossfades {} ms{}, {})",
            r.scenes.len(),
            f64::from(r.target_ms) / 1000.0,
            r.fit.as_str(),
            r.crossfade_ms,
            if r.snap == intone_core::kinds::scenes::Snap::Bar {
                " on bar lines"
            } else {
                ""
            },
            r.on_error.as_str()
        );
    }
    run_and_report(studio, rt, batch_id, track_id, a.json)
}

fn run_and_report(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    batch_id: i64,
    track_id: i64,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let batch = rt.block_on(progress::with_progress(studio, async {
        studio.run_batch(batch_id).await
    }))?;
    report(studio, &batch, track_id, json)?;
    Ok(code_for(batch.status))
}

fn report(studio: &Studio, batch: &BatchRow, track_id: i64, json: bool) -> anyhow::Result<()> {
    let score = studio.score(track_id)?;
    if json {
        let tracks = studio.tracks(batch.id)?;
        return output::print_json(&json!({
            "batch_id": batch.id,
            "status": batch.status,
            "batch": batch,
            "tracks": tracks,
            "score": score,
        }));
    }
    print_scenes(&score);
    output::batch_result(studio, batch, false)
}

fn print_scenes(score: &intone_core::studio::ScoreView) {
    for s in &score.scenes {
        let state = if s.silent {
            format!("silent: {}", s.error.clone().unwrap_or_default())
        } else if s.status == "failed" {
            format!("failed: {}", s.error.clone().unwrap_or_default())
        } else {
            s.status.clone()
        };
        println!(
            "  scene {:>2} at {:>8.3} s  {:>6.2} s  seed {:<7} {}  [{}]",
            s.number,
            s.start_ms / 1000.0,
            f64::from(s.scene.duration_ms) / 1000.0,
            s.scene.seed,
            s.scene.prompt,
            state
        );
    }
}

fn subcommand(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    cmd: ScenesCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        ScenesCommand::Show { id, json } => {
            let score = studio.score(id)?;
            if json {
                output::print_json(&json!({
                    "track": studio.store().track(id)?,
                    "score": score,
                }))?;
            } else {
                let t = studio.store().track(id)?;
                println!("score {id}: {} ({})", t.title, t.status);
                print_scenes(&score);
                if let Some(p) = &t.output_path {
                    println!("  file {p}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ScenesCommand::Regenerate {
            id,
            scene,
            seed,
            prompt,
            json,
        } => {
            let batch_id = studio.regenerate_scene(id, scene, &SceneChange { prompt, seed })?;
            run_and_report(studio, rt, batch_id, id, json)
        }
        ScenesCommand::Delete { id } => {
            studio.score_recipe(id)?;
            let r = studio.delete_tracks(&[id])?;
            for p in &r.problems {
                eprintln!("intone: warning: {p}");
            }
            eprintln!("deleted score {id} ({} file(s))", r.files_removed);
            Ok(ExitCode::SUCCESS)
        }
        ScenesCommand::Export {
            id,
            to,
            video_out,
            no_video,
            json,
        } => {
            let mut files = Vec::new();
            if let Some(p) = &to {
                files.push(studio.export_score(id, p)?);
            }
            let has_video = studio.score_recipe(id)?.video.is_some();
            if !no_video && (has_video || video_out.is_some()) {
                files.push(studio.export_scored_video(id, video_out.as_deref())?);
            }
            if files.is_empty() {
                anyhow::bail!(
                    "score {id} has no video: give --to FILE.wav or --to FILE.flac to export the score"
                );
            }
            if json {
                output::print_json(&json!({ "files": files }))?;
            } else {
                for f in &files {
                    println!("{}", f.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
