//! `intone say`: speak text to a file at once, without recording a batch.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use intone_core::Studio;

use crate::output;

/// `intone say`'s arguments.
#[derive(Args, Debug)]
pub struct SayArgs {
    /// Text to speak.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    text: Option<String>,
    /// Read the text from a file.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// Voice as engine:voice.
    #[arg(long)]
    voice: Option<String>,
    /// Variant.
    #[arg(long, default_value = "voice")]
    variant: String,
    /// Output file (.wav or .flac).
    #[arg(short = 'o', long = "output", required = true)]
    output: PathBuf,
    /// Print where the time went, phase by phase, on stderr.
    #[arg(long)]
    timings: bool,
}

/// Speaks `a`'s text to its output file; `started` is when the process
/// began (for `--timings`). Takes the studio: the process ends here.
///
/// # Errors
/// An unreadable text file, an unknown voice or variant, engine and audio
/// errors.
pub fn say(studio: Studio, a: SayArgs, started: Instant) -> anyhow::Result<ExitCode> {
    let text = match (a.text, a.file) {
        (Some(t), _) => t,
        (None, Some(f)) => {
            let decoded = intone_core::script::read_text_file(&f)?;
            if let Some(note) = decoded.note {
                eprintln!("intone: note: {}: {note}", f.display());
            }
            decoded.text
        }
        (None, None) => anyhow::bail!("give TEXT or -f FILE"),
    };
    if let Some(v) = &a.voice {
        let parsed = intone_core::engines::VoiceRef::parse(v)?;
        if let (_, Some(w)) = studio.engines().resolve_with_warning(&parsed)? {
            eprintln!("intone: warning: {w}");
        }
    }
    let before = started.elapsed();
    let report = studio.say(&text, a.voice.as_deref(), &a.variant, &a.output)?;
    let r = report.output;
    eprintln!(
        "Wrote {} ({:.1} s, {:.1} LUFS, {:.1} dBTP)",
        a.output.display(),
        r.frames as f64 / f64::from(r.sample_rate_hz),
        r.loudness.integrated_lufs,
        r.loudness.true_peak_dbtp
    );
    if a.timings {
        eprint!(
            "{}",
            output::phase_table(before, &report.phases, started.elapsed())
        );
    }
    // The process ends here. Releasing the inference sessions one by one
    // takes longer (70 ms for a Piper voice) than the system takes to
    // reclaim them; the store needs no close (every write is already
    // committed, and the WAL is read back on next open).
    std::mem::forget(studio);
    Ok(ExitCode::SUCCESS)
}
