//! The `music` job kind: one track is a prompt × take, made by generate
//! (one music engine call, or a continuation joined onto the audio it
//! continues) → the shared [`deliver`](crate::pipeline::cx::deliver) (master → encode
//! → peaks).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::master::MasterSettings;
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::engines::music::analysis::{self, Facts};
use crate::engines::music::cog::spectrograms_dir;
use crate::engines::music::{looping, Continuation, MusicRequest};
use crate::error::{Error, Result};
use crate::pipeline::cx::{deliver_tagged, TrackCx};
use crate::store::{Step, TrackResult};

/// How one take is made; stored as the track's recipe.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MusicRecipe {
    /// Music engine name (`builtin`, or a Cog engine's name).
    pub engine: String,
    /// The engine's model, when it has several.
    pub model: Option<String>,
    /// What to make, in words.
    pub prompt: String,
    /// Length of the new music, ms.
    pub duration_ms: u32,
    /// Seed of this take.
    pub seed: u32,
    /// Model parameters (values as text).
    pub params: BTreeMap<String, String>,
    /// Loudness target, LUFS.
    pub target_lufs: f64,
    /// The prompt words the engine understood (built-in composer).
    pub understood: Vec<String>,
    /// Audio this take continues (a kept input's path): the take is that
    /// audio with the new music joined onto its end.
    pub continue_from: Option<PathBuf>,
    /// Crossfade between the audio continued and the new music, ms.
    pub overlap_ms: u32,
    /// The take is a seamless loop (its length whole bars, loop points in
    /// the delivered file).
    #[serde(default)]
    pub looped: bool,
}

/// What the `analyze` step found: the take's tempo and key, and its loop
/// length (frames, from frame 0) when it is a loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct AnalyzeOut {
    facts: Option<Facts>,
    loop_frames: Option<u64>,
}

/// Extra audio asked of a model for a loop: room to round to whole bars
/// and for the crossfade at the loop point, seconds.
const LOOP_EXTRA_S: f64 = 4.0;

/// Runs a music track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let recipe: MusicRecipe = serde_json::from_str(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: bad music recipe: {e}", c.track.id)))?;
    let engine = engine_named(c, &recipe.engine)?;
    let sr = c.batch.sample_rate_hz;
    let mut force = false;
    let take_path = c.work.join("take.wav");
    let req = request(&recipe, sr);
    c.file_step(Step::Generate, &mut force, &take_path, |out| {
        let new_path = c.work.join("new.wav");
        if recipe.looped && !engine.loops() {
            return cut_loop(c, engine.as_ref(), &req, &new_path, out);
        }
        let generated = if recipe.continue_from.is_some() {
            new_path.as_path()
        } else {
            out
        };
        crate::fsio::write_with(generated, |tmp| generate(c, engine.as_ref(), &req, tmp))?;
        c.check_cancelled()?;
        if let Some(prev) = &recipe.continue_from {
            crate::fsio::write_with(out, |tmp| {
                append_overlapped(prev, &new_path, recipe.overlap_ms, sr, tmp)
            })?;
        }
        Ok(())
    })?;
    c.check_cancelled()?;
    let analyzed: AnalyzeOut = c.step(
        Step::Analyze,
        &mut force,
        |_| true,
        || {
            let facts = match engine.facts(&req) {
                Some(f) => Some(f),
                None => analysis::estimate(&take_path)?,
            };
            let loop_frames = if recipe.looped {
                Some(WavBlockReader::open(&take_path)?.frames)
            } else {
                None
            };
            let spectrograms = keep_spectrograms(c)?;
            c.p.store
                .record_music_facts(c.track.id, facts.as_ref(), loop_frames, &spectrograms)?;
            Ok(AnalyzeOut { facts, loop_frames })
        },
    )?;
    let mut tags = c.tags();
    tags.loop_frames = analyzed.loop_frames;
    deliver_tagged(
        c,
        &mut force,
        &take_path,
        MasterSettings {
            target_lufs: recipe.target_lufs,
            ceiling_dbtp: -1.0,
        },
        &tags,
    )
}

/// Copies the spectrogram images the engine left in the track's work
/// folder ([`spectrograms_dir`]) to `projects/<slug>/spectrograms/track-<id>/`
/// (the work folder goes when the track completes), and returns their
/// paths in order.
///
/// # Errors
/// [`Error::Io`] naming a file that cannot be copied.
fn keep_spectrograms(c: &TrackCx<'_>) -> Result<Vec<String>> {
    let from = spectrograms_dir(&c.work.join("take.wav"));
    let Ok(rd) = std::fs::read_dir(&from) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    files.sort();
    let to =
        c.p.home
            .project_dir(&c.batch.project_slug)
            .join("spectrograms")
            .join(format!("track-{}", c.track.id));
    std::fs::create_dir_all(&to).map_err(|e| Error::io(&to, e))?;
    let mut kept = Vec::new();
    for f in files {
        let Some(name) = f.file_name() else { continue };
        let dest = to.join(name);
        std::fs::copy(&f, &dest).map_err(|e| Error::io(&dest, e))?;
        kept.push(dest.to_string_lossy().into_owned());
    }
    Ok(kept)
}

/// The engine request of a take's recipe at `sr` Hz.
fn request(recipe: &MusicRecipe, sr: u32) -> MusicRequest {
    MusicRequest {
        prompt: recipe.prompt.clone(),
        model: recipe.model.clone(),
        duration_ms: u64::from(recipe.duration_ms),
        seed: recipe.seed,
        params: recipe.params.clone(),
        continuation: recipe.continue_from.as_ref().map(|p| Continuation {
            path: p.clone(),
            overlap_ms: recipe.overlap_ms,
            crossfade: true,
            state: None,
        }),
        open_end: false,
        sample_rate_hz: sr,
        looped: recipe.looped,
    }
}

/// A loop from an engine that cannot make one: a take [`LOOP_EXTRA_S`]
/// longer than asked is made into `raw`, its tempo estimated, and the loop
/// cut from it ([`looping::make_loop`]) into `out`.
///
/// # Errors
/// As [`generate`]; [`Error::Config`] when the take is too short to loop.
fn cut_loop(
    c: &TrackCx<'_>,
    engine: &dyn crate::engines::music::MusicEngine,
    req: &MusicRequest,
    raw: &std::path::Path,
    out: &std::path::Path,
) -> Result<()> {
    let longer = MusicRequest {
        duration_ms: req.duration_ms + (LOOP_EXTRA_S * 1000.0) as u64,
        looped: false,
        ..req.clone()
    };
    crate::fsio::write_with(raw, |tmp| generate(c, engine, &longer, tmp))?;
    c.check_cancelled()?;
    let facts = analysis::estimate(raw)?;
    let target = req.duration_ms * u64::from(req.sample_rate_hz) / 1000;
    crate::fsio::write_with(out, |tmp| {
        looping::make_loop(raw, tmp, target, facts.as_ref()).map(|_| ())
    })
}

/// Makes `req`'s take into `out` under the pipeline's retry policy
/// (transient errors back off and retry), polling the track's cancellation.
///
/// # Errors
/// The engine's error once retries are spent; [`Error::Cancelled`].
pub(crate) fn generate(
    c: &TrackCx<'_>,
    engine: &dyn crate::engines::music::MusicEngine,
    req: &MusicRequest,
    out: &std::path::Path,
) -> Result<()> {
    c.p.options
        .retry
        .run(&|| c.cancelled(), || {
            engine.generate(req, out, &|| c.cancelled())
        })
        .map_err(|e| {
            if c.cancelled() {
                Error::Cancelled
            } else {
                Error::from(e)
            }
        })
}

/// The music engine `name` as configured now.
///
/// # Errors
/// [`Error::NotFound`] when it is no longer configured.
pub(crate) fn engine_named(
    c: &TrackCx<'_>,
    name: &str,
) -> Result<std::sync::Arc<dyn crate::engines::music::MusicEngine>> {
    c.p.music().get(name).ok_or_else(|| {
        Error::NotFound(format!(
            "no music engine \"{name}\" (was it removed from engines.toml?)"
        ))
    })
}

/// Writes `prev` (resampled to `sample_rate_hz`, stereo) without its last
/// `overlap_ms`, then `new` (whose first `overlap_ms` already hold that tail,
/// crossfaded by the engine) to `out`: the continued piece, every sample
/// once. `new` is streamed; `prev` is decoded whole.
///
/// # Errors
/// [`Error::Audio`] naming a file that cannot be read or written.
fn append_overlapped(
    prev: &std::path::Path,
    new: &std::path::Path,
    overlap_ms: u32,
    sample_rate_hz: u32,
    out: &std::path::Path,
) -> Result<()> {
    let head = crate::audio::resample::resample(
        &crate::audio::decode::decode_file(prev)?.with_channels(2),
        sample_rate_hz,
    )?;
    let overlap = (u64::from(overlap_ms) * u64::from(sample_rate_hz) / 1000) as usize;
    let keep = (head.samples.len() / 2).saturating_sub(overlap);
    let mut w = WavBlockWriter::create(out, sample_rate_hz, 2)?;
    w.write(&head.samples[..keep * 2])?;
    let mut r = WavBlockReader::open(new)?;
    let mut buf = Vec::new();
    while r.read_block(&mut buf, 65_536)? > 0 {
        w.write(&buf)?;
    }
    w.finish()
}
