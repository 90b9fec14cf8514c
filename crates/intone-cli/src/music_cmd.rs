//! `intone music` (make takes from a prompt; list, show, collect and delete
//! them) and `intone models` (the music engines and their parameters).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use intone_core::store::{
    parse_key, JobKind, LibraryFilter, LibraryItem, LibrarySort, TrackStatus,
};
use intone_core::studio::TakesRequest;
use intone_core::Studio;
use serde_json::json;

use crate::{code_for, output, progress};

/// Options of `intone music`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct MusicArgs {
    #[command(subcommand)]
    pub command: Option<MusicCommand>,
    /// What to make, e.g. "calm piano, slow, warm" or "upbeat lo-fi groove, 90 bpm".
    #[arg(required = true)]
    pub prompt: Option<String>,
    /// Music engine (see `intone models`). Default: builtin.
    #[arg(long)]
    pub engine: Option<String>,
    /// The engine's model.
    #[arg(long)]
    pub model: Option<String>,
    /// Length of each take, seconds.
    #[arg(long, default_value_t = 30.0)]
    pub duration: f64,
    /// How many takes (each with its own seed).
    #[arg(long, default_value_t = 1)]
    pub takes: u32,
    /// Seed of the first take (the next ones add 1). Default: random.
    #[arg(long)]
    pub seed: Option<u32>,
    /// A model parameter, e.g. --set temperature=0.5 (repeat for several).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = crate::encode_args::key_value)]
    pub set: Vec<(String, String)>,
    /// Put the takes in this collection.
    #[arg(long)]
    pub collection: Option<String>,
    /// Continue this audio file (any format): each take is the file with new music joined on.
    #[arg(long = "continue", value_name = "FILE")]
    pub continue_from: Option<PathBuf>,
    /// Make each take a seamless loop: its length rounded to whole bars, loop points in the file
    /// (WAV smpl chunk; LOOPSTART/LOOPLENGTH in FLAC and Ogg).
    #[arg(long = "loop")]
    pub looped: bool,
    #[command(flatten)]
    pub delivery: crate::encode_args::DeliveryArgs,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `intone music …` subcommands (the gallery).
#[derive(Subcommand, Debug)]
pub enum MusicCommand {
    /// List takes, newest first.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Skip this many first.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// Only this engine (as stored: builtin, or engine:model).
        #[arg(long)]
        engine: Option<String>,
        /// Only takes in this state (completed, failed…).
        #[arg(long)]
        status: Option<String>,
        /// Only this collection.
        #[arg(long)]
        collection: Option<String>,
        /// Only takes at this tempo or faster, BPM.
        #[arg(long, value_name = "BPM")]
        tempo_min: Option<f32>,
        /// Only takes at this tempo or slower, BPM.
        #[arg(long, value_name = "BPM")]
        tempo_max: Option<f32>,
        /// Only takes in this key, e.g. "D minor".
        #[arg(long)]
        key: Option<String>,
        /// Only loops.
        #[arg(long)]
        loops: bool,
        /// Order: newest, tempo, key, loudness or duration.
        #[arg(long, default_value = "newest", value_parser = sort_order)]
        sort: LibrarySort,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one take: prompt, engine, every parameter, seed, words understood.
    Show {
        /// Track id of the take.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make a new take with a take's settings and a new seed.
    Regenerate {
        /// Track id of the take.
        id: i64,
        /// Seed of the new take (default: a new random one).
        #[arg(long)]
        seed: Option<u32>,
        /// Print one JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Make a sleep variant with this take as its bed; prints the variant's name.
    Bed {
        /// Track id of the take.
        id: i64,
    },
    /// Put takes in a collection (an empty name takes them out).
    Collect {
        /// Collection name.
        name: String,
        /// Track ids of the takes.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Estimate the tempo and key of any audio file, and measure its loudness and length.
    Analyze {
        /// The audio file (WAV, FLAC, MP3, Ogg, M4A…).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete takes and their files.
    Delete {
        /// Track ids of the takes.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

/// Runs `intone music`.
pub fn music(
    studio: &Studio,
    rt: &tokio::runtime::Runtime,
    a: MusicArgs,
) -> anyhow::Result<ExitCode> {
    if let Some(cmd) = a.command {
        if let MusicCommand::Regenerate { id, seed, json } = cmd {
            let batch_id = studio.regenerate(id, seed)?;
            let batch = rt.block_on(progress::with_progress(studio, async {
                studio.run_batch(batch_id).await
            }))?;
            output::batch_result(studio, &batch, json)?;
            return Ok(code_for(batch.status));
        }
        return gallery(studio, cmd);
    }
    let order = TakesRequest {
        prompt: a.prompt.unwrap_or_default(),
        engine: a.engine,
        model: a.model,
        duration_s: a.duration,
        takes: a.takes,
        seed: a.seed,
        params: a.set.iter().cloned().collect(),
        collection: a.collection,
        delivery: a.delivery.delivery()?,
        continue_from: a.continue_from,
        looped: a.looped,
        ..TakesRequest::default()
    };
    let plan = studio.plan_music(&order)?;
    let batch_id = studio.create_music_batch(&plan)?;
    if !a.json {
        let seeds: Vec<&str> = plan.tracks.iter().map(|t| t.variant.as_str()).collect();
        eprintln!(
            "Batch {batch_id}: {} take(s) of {:.1} s with {} ({})",
            plan.tracks.len(),
            order.duration_s,
            plan.engine,
            seeds.join(", ")
        );
        if !plan.understood.is_empty() {
            eprintln!("Understood: {}", plan.understood.join(", "));
        }
    }
    let batch = rt.block_on(progress::with_progress(studio, async {
        studio.run_batch(batch_id).await
    }))?;
    output::batch_result(studio, &batch, a.json)?;
    Ok(code_for(batch.status))
}

fn gallery(studio: &Studio, cmd: MusicCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        MusicCommand::List {
            limit,
            offset,
            engine,
            status,
            collection,
            tempo_min,
            tempo_max,
            key,
            loops,
            sort,
            json,
        } => {
            if let Some(k) = key.as_deref().filter(|k| parse_key(k).is_none()) {
                anyhow::bail!("unknown key \"{k}\" (write it as \"D minor\", \"F# major\")");
            }
            let status = match status {
                Some(s) => Some(TrackStatus::parse(&s).ok_or_else(|| {
                    anyhow::anyhow!(
                        "unknown status \"{s}\" (pending, running, completed, failed, cancelled)"
                    )
                })?),
                None => None,
            };
            let filter = LibraryFilter {
                kind: Some(JobKind::Music),
                engine,
                status,
                collection,
                tempo_min,
                tempo_max,
                key,
                looped: loops.then_some(true),
                sort: Some(sort),
                limit: Some(limit),
                offset: Some(offset),
                ..LibraryFilter::default()
            };
            let items = studio.store().library(&filter)?;
            let total = studio.store().library_count(&filter)?;
            if json {
                output::print_json(&json!({ "total": total, "offset": offset, "takes": items }))?;
                return Ok(ExitCode::SUCCESS);
            }
            for it in &items {
                print_row(it);
            }
            eprintln!("{} of {total} take(s)", items.len());
            Ok(ExitCode::SUCCESS)
        }
        MusicCommand::Show { id, json } => {
            let t = studio.store().track(id)?;
            let recipe = studio.take_recipe(id)?;
            if json {
                let facts = studio.store().music_facts(id)?;
                output::print_json(&json!({ "track": t, "recipe": recipe, "music": facts }))?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("take {id}: {}", recipe.prompt);
            println!(
                "  engine      {}{}",
                recipe.engine,
                recipe.model.map(|m| format!(" ({m})")).unwrap_or_default()
            );
            println!("  seed        {}", recipe.seed);
            println!(
                "  duration    {:.2} s",
                f64::from(recipe.duration_ms) / 1000.0
            );
            for (k, v) in &recipe.params {
                println!("  {k:<11} {v}");
            }
            if !recipe.understood.is_empty() {
                println!("  understood  {}", recipe.understood.join(", "));
            }
            println!("  status      {}", t.status);
            if let Some(f) = studio.store().music_facts(id)? {
                let est = if f.estimated { " (estimated)" } else { "" };
                if let Some(t) = f.tempo_bpm {
                    println!("  tempo       {t:.1} BPM{est}");
                }
                if let Some(k) = &f.key {
                    println!("  key         {k}{est}");
                }
                if let Some(n) = f.loop_frames {
                    println!("  loop        {n} frames, from the start");
                }
            }
            if let Some(c) = &t.collection {
                println!("  collection  {c}");
            }
            if let Some(p) = &t.output_path {
                println!("  file        {p}");
            }
            if let Some(e) = &t.error {
                println!("  error       {e}");
            }
            Ok(ExitCode::SUCCESS)
        }
        MusicCommand::Collect { name, ids } => {
            studio.set_collection(&ids, Some(&name))?;
            eprintln!(
                "{} take(s) {}",
                ids.len(),
                if name.trim().is_empty() {
                    "out of their collection".to_string()
                } else {
                    format!("in \"{}\"", name.trim())
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        MusicCommand::Regenerate { .. } => unreachable!("handled by music()"),
        MusicCommand::Bed { id } => {
            let name = studio.variant_from_take(id)?;
            println!("{name}");
            eprintln!("Use it with: intone generate SCRIPT --variant {name}");
            Ok(ExitCode::SUCCESS)
        }
        MusicCommand::Analyze { file, json } => {
            let a = studio.analyze_audio(&file)?;
            if json {
                output::print_json(&serde_json::to_value(&a)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("{}", file.display());
            match &a.facts {
                Some(f) => {
                    println!("  tempo       {:.1} BPM (estimated)", f.tempo_bpm);
                    println!("  key         {} (estimated)", f.key_name());
                }
                None => println!("  tempo, key  none heard"),
            }
            println!("  loudness    {:.1} LUFS", a.loudness_lufs);
            println!("  duration    {:.2} s", a.duration_ms as f64 / 1000.0);
            Ok(ExitCode::SUCCESS)
        }
        MusicCommand::Delete { ids } => {
            let r = studio.delete_tracks(&ids)?;
            eprintln!("deleted {} take(s)", r.deleted);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Parses `--sort`.
fn sort_order(s: &str) -> Result<LibrarySort, String> {
    serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase()))
        .map_err(|_| format!("\"{s}\" is not an order (newest, tempo, key, loudness, duration)"))
}

fn print_row(it: &LibraryItem) {
    let t = &it.track;
    let facts = it.music.as_ref();
    let tempo = facts
        .and_then(|f| f.tempo_bpm)
        .map_or("      -".into(), |b| format!("{b:>3.0} BPM"));
    let key = facts
        .and_then(|f| f.key.clone())
        .unwrap_or_else(|| "-".into());
    let looped = if facts.is_some_and(|f| f.loop_frames.is_some()) {
        " loop"
    } else {
        ""
    };
    let meta = match t.status {
        TrackStatus::Completed => format!(
            "{:>5.1} s {:>6.1} LUFS {tempo} {key:<9}{looped}",
            t.duration_ms.unwrap_or(0) as f64 / 1000.0,
            t.loudness_lufs.unwrap_or(f64::NAN)
        ),
        s => s.to_string(),
    };
    println!(
        "{:>6}  {:<11} {:<12} {:<20} {}  {}",
        t.id,
        t.variant,
        t.engine,
        t.collection.as_deref().unwrap_or("-"),
        meta,
        t.title
    );
}

/// Runs `intone models`.
pub fn models(studio: &Studio, json: bool) -> anyhow::Result<ExitCode> {
    let cat = studio.music_catalog();
    if json {
        output::print_json(&serde_json::to_value(&cat.engines)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in &cat.engines {
        let state = if e.available { "" } else { "  (unavailable)" };
        println!(
            "{:<12} {:<8} {}{state}",
            e.name,
            e.kind,
            e.models.join(", ")
        );
        println!("{:<12} {}", "", e.detail);
        for p in &e.params {
            let range = match (p.minimum, p.maximum) {
                (Some(lo), Some(hi)) => format!(" {lo}–{hi}"),
                _ => String::new(),
            };
            let choices = if p.choices.is_empty() {
                String::new()
            } else {
                format!(" [{}]", p.choices.join(", "))
            };
            println!(
                "{:<12}   {:<14} {}{range}{choices}, default {}",
                "",
                p.name,
                p.kind,
                p.default.as_deref().unwrap_or("none")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
