//! `intone`: the headless front end over intone-core.
//!
//! Exit codes: 0 when every track completed, 2 for partial success, 1 for a
//! failed batch or any error (one line on stderr naming the problem).

mod cast_cmd;
mod chapters_cmd;
mod check_cmd;
mod convert_cmd;
mod encode_args;
mod engines_cmd;
mod export_cmd;
mod generate_cmd;
pub mod manual;
mod music_cmd;
mod output;
mod progress;
mod say_cmd;
mod scenes_cmd;
mod takes_cmd;
mod transcribe_cmd;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, Parser, Subcommand};
use intone_core::pipeline::RunOptions;
use intone_core::store::BatchStatus;
use intone_core::{Home, Studio};

/// Intone: scripts and recordings in, mastered audio tracks out. Offline.
#[derive(Parser, Debug)]
#[command(name = "intone", version, about, long_about = None)]
struct Cli {
    /// Home folder (job store, tracks, cache). Default: $INTONE_HOME, else the platform data dir.
    #[arg(long, global = true, env = "INTONE_HOME", value_name = "DIR")]
    home: Option<PathBuf>,
    /// Tracks processed at once (default: number of cores).
    #[arg(long, global = true, value_name = "N")]
    workers: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Turn scripts into tracks: one per section × variant.
    Generate(generate_cmd::GenerateArgs),
    /// Show a script's speakers, their sentence counts and voices, or what the cast is missing.
    Cast(cast_cmd::CastArgs),
    /// The pronunciation lexicon: add, remove, list, import, export, apply.
    Lexicon(cast_cmd::LexiconArgs),
    /// Show or set a project's default pauses (after a sentence, a paragraph, a heading).
    Pauses(cast_cmd::PausesArgs),
    /// Hear every sentence of a speech batch with the speech recognizer; list the flagged ones.
    Check(check_cmd::CheckArgs),
    /// Speak one sentence of a track again (a new take) and remake the track.
    Regenerate(check_cmd::RegenerateArgs),
    /// List a book's chapters (EPUB, PDF, or text with chapter lines) before making any.
    Chapters(chapters_cmd::ChaptersArgs),
    /// List a speech track's sentences and their takes; pick one (--use) or mark favourites.
    Takes(takes_cmd::TakesArgs),
    /// Prune takes beyond the kept count and delete the cached clips nothing refers to.
    Gc(takes_cmd::GcArgs),
    /// Convert recordings: chunk on silences, convert each chunk, join, master.
    Convert(convert_cmd::ConvertArgs),
    /// Transcribe recordings (text, SRT, WebVTT beside a mastered copy) without converting them.
    Transcribe(transcribe_cmd::TranscribeArgs),
    /// Watch a folder: files that land there are converted and moved to its processed/ folder.
    Watch(convert_cmd::WatchArgs),
    /// Make music or ambience from a prompt (takes), or browse the takes.
    Music(music_cmd::MusicArgs),
    /// Score a video's scenes: one continuous piece, fitted to its length.
    Scenes(scenes_cmd::ScenesArgs),
    /// Join a batch's tracks into one file (audiobook) with a chapter per track and one SRT/VTT.
    Export(export_cmd::ExportArgs),
    /// List music engines with their models and parameters.
    Models {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List converters with their settings and whether each can run now.
    Converters {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Finish every unfinished batch.
    Resume {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rerun only the failed tracks of a batch.
    Retry {
        /// Batch id.
        batch_id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a batch (completed tracks are kept).
    Cancel {
        /// Batch id.
        batch_id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List batches, newest first.
    Batches {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the tracks of a batch.
    Tracks {
        /// Batch id.
        batch_id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List voices of every engine.
    Voices {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List variants (built-in and from $INTONE_HOME/variants/*.toml).
    Variants {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Configure local TTS servers (OpenAI-compatible, Chatterbox).
    Engines {
        #[command(subcommand)]
        command: engines_cmd::EnginesCommand,
    },
    /// Speak text to a file at once, without recording a batch.
    Say(say_cmd::SayArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell
    /// (e.g. `intone completions bash > ~/.local/share/bash-completion/completions/intone`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the man pages (intone.1, intone-SUBCOMMAND.1) into a folder (for packaging).
    #[command(hide = true)]
    ManPages {
        /// The folder.
        dir: PathBuf,
    },
}

/// Parses the command line, runs the subcommand and returns the exit code
/// (0 done, 2 partial success, 1 failed or any error).
pub fn main() -> ExitCode {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INTONE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli, started) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("intone: error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Exit code for a batch status.
pub(crate) fn code_for(status: BatchStatus) -> ExitCode {
    match status {
        BatchStatus::Completed => ExitCode::SUCCESS,
        BatchStatus::PartialSuccess => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

/// Runs `cli`; `started` is when the process began (for `say --timings`).
fn run(cli: Cli, started: Instant) -> anyhow::Result<ExitCode> {
    // The command's own documentation needs no home.
    match &cli.command {
        Command::Completions { shell } => {
            let script = manual::completions(Cli::command(), *shell);
            match std::io::Write::write_all(&mut std::io::stdout().lock(), &script) {
                // A reader that stops early (`| head`) is not an error.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(anyhow::anyhow!("cannot write the completion script: {e}"))
                }
                _ => return Ok(ExitCode::SUCCESS),
            }
        }
        Command::ManPages { dir } => {
            for page in manual::man_pages(Cli::command(), dir)? {
                println!("{}", page.display());
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let home = Home::resolve(cli.home.as_deref())?;
    let mut options = RunOptions::default();
    if let Some(w) = cli.workers {
        options.workers = w.max(1);
    }
    let studio = Studio::open(home, options)?;
    for w in &studio.engines().warnings {
        eprintln!("intone: warning: {w}");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Generate(args) => generate_cmd::generate(&studio, &rt, args),
        Command::Convert(args) => convert_cmd::convert(&studio, &rt, args),
        Command::Converters { json } => convert_cmd::converters(&studio, json),
        Command::Transcribe(args) => transcribe_cmd::transcribe(&studio, &rt, args),
        Command::Music(args) => music_cmd::music(&studio, &rt, args),
        Command::Models { json } => music_cmd::models(&studio, json),
        Command::Scenes(args) => scenes_cmd::scenes(&studio, &rt, args),
        Command::Export(args) => export_cmd::export(&studio, args),
        Command::Cast(args) => cast_cmd::cast(&studio, args),
        Command::Lexicon(args) => cast_cmd::lexicon(&studio, &rt, args),
        Command::Pauses(args) => cast_cmd::pauses(&studio, args),
        Command::Check(args) => check_cmd::check(&studio, args),
        Command::Regenerate(args) => check_cmd::regenerate(&studio, &rt, args),
        Command::Chapters(args) => chapters_cmd::chapters(args),
        Command::Takes(args) => takes_cmd::takes(&studio, &rt, args),
        Command::Gc(args) => takes_cmd::gc(&studio, args),
        Command::Watch(args) => convert_cmd::watch(&studio, &rt, args),
        Command::Resume { json } => {
            let batches = rt.block_on(progress::with_progress(&studio, async {
                studio.resume().await
            }))?;
            output::resume_result(&studio, &batches, json)?;
            let worst = batches
                .iter()
                .map(|b| b.status)
                .max_by_key(|s| match s {
                    BatchStatus::Completed => 0,
                    BatchStatus::PartialSuccess => 1,
                    _ => 2,
                })
                .unwrap_or(BatchStatus::Completed);
            Ok(code_for(worst))
        }
        Command::Retry { batch_id, json } => {
            let batch = rt.block_on(progress::with_progress(&studio, async {
                studio.retry(batch_id).await
            }))?;
            output::batch_result(&studio, &batch, json)?;
            Ok(code_for(batch.status))
        }
        Command::Cancel { batch_id, json } => {
            let b = studio.cancel(batch_id)?;
            output::batch_row(&b, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Batches { json } => {
            output::batches(&studio.store().batches()?, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tracks { batch_id, json } => {
            output::tracks(&studio.tracks(batch_id)?, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Voices { json } => {
            let engines = studio.engines();
            output::voices(
                &studio.voices(),
                &engines.default_voice(),
                &engines.accepting_unlisted(),
                json,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Variants { json } => {
            let (list, warnings) = studio.variants();
            for w in warnings {
                eprintln!("intone: warning: {w}");
            }
            output::variants(&list, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Engines { command } => engines_cmd::run(&studio, command),
        Command::Say(args) => say_cmd::say(studio, args, started),
        Command::Completions { .. } | Command::ManPages { .. } => Ok(ExitCode::SUCCESS),
    }
}
