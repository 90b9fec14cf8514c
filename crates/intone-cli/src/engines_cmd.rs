//! `intone engines …`: configure local TTS servers.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use intone_core::engines::http::config::{ChatterboxParams, EngineConfig, Kind};
use intone_core::Studio;

/// Engine management commands.
#[derive(Subcommand, Debug)]
pub enum EnginesCommand {
    /// Add a TTS server (or a pool of servers) as engine NAME; its voices become NAME:VOICE.
    /// With --kind cog, a music model served by Cog (see `intone models`).
    Add {
        /// Engine name (letters, digits, - and _).
        name: String,
        /// Protocol: openai (/v1/audio/speech), chatterbox (Chatterbox-TTS-Server /tts) or
        /// cog (a Cog server's /predictions: MusicGen, Riffusion…).
        #[arg(long, value_parser = ["openai", "chatterbox", "cog"])]
        kind: String,
        /// Server base URL, e.g. http://127.0.0.1:8004 (repeat for a pool).
        #[arg(long = "url", required = true)]
        urls: Vec<String>,
        /// Model name sent to OpenAI-compatible servers.
        #[arg(long)]
        model: Option<String>,
        /// Voice to offer when the server cannot list voices (repeat).
        #[arg(long = "voice")]
        voices: Vec<String>,
        /// Requests at once per URL.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Per-request timeout in seconds.
        #[arg(long, default_value_t = 120.0)]
        timeout: f64,
        /// Longest text per request (Chatterbox: 50–500, default 120).
        #[arg(long)]
        max_chars: Option<usize>,
        /// Allow a URL that is not on this machine.
        #[arg(long)]
        allow_remote: bool,
    },
    /// List configured engines.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check an engine's servers and count its voices (exit 1 when down).
    Test {
        /// Engine name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an engine.
    Remove {
        /// Engine name.
        name: String,
    },
    /// Upload a reference clip (WAV/MP3) to a Chatterbox engine to clone its voice.
    Clone {
        /// Engine name.
        name: String,
        /// The reference clip.
        clip: PathBuf,
    },
}

/// Runs an engines command.
pub fn run(studio: &Studio, cmd: EnginesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        EnginesCommand::Add {
            name,
            kind,
            urls,
            model,
            voices,
            concurrency,
            timeout,
            max_chars,
            allow_remote,
        } => {
            let kind: Kind = kind.parse()?;
            let cfg = EngineConfig {
                kind,
                urls,
                model,
                voices,
                concurrency,
                timeout_s: timeout,
                max_chars,
                allow_remote,
                chatterbox: (kind == Kind::Chatterbox).then(ChatterboxParams::default),
            };
            studio.add_engine(&name, cfg)?;
            println!("Added engine {name}. Check it with: intone engines test {name}");
            Ok(ExitCode::SUCCESS)
        }
        EnginesCommand::List { json } => {
            let file = studio.engines_file()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&file.engines)?);
            } else if file.engines.is_empty() {
                println!("No engines configured. Add one with: intone engines add NAME --kind openai|chatterbox|cog --url URL");
            } else {
                for (name, e) in &file.engines {
                    println!(
                        "{name:<14} {:<10} {}  (concurrency {}, timeout {} s)",
                        e.kind.to_string(),
                        e.urls.join(" "),
                        e.concurrency,
                        e.timeout_s
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EnginesCommand::Test { name, json } => {
            let h = studio.test_engine(&name)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&h)?);
            } else {
                for (url, ok, msg) in &h.urls {
                    println!("{} {url}: {msg}", if *ok { "✓" } else { "✗" });
                }
                if h.ok {
                    if h.voices_from.is_empty() {
                        println!("{name} is up with {} voice(s).", h.voices);
                    } else {
                        println!(
                            "{name} is up with {} voice(s): {}.",
                            h.voices, h.voices_from
                        );
                    }
                } else {
                    println!("{name} is down.");
                }
            }
            Ok(if h.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        EnginesCommand::Remove { name } => {
            studio.remove_engine(&name)?;
            println!("Removed engine {name}.");
            Ok(ExitCode::SUCCESS)
        }
        EnginesCommand::Clone { name, clip } => {
            let id = studio.clone_voice(&name, &clip)?;
            println!("Uploaded {}. Use it as --voice {id}", clip.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
