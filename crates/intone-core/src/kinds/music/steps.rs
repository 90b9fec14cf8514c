//! The `music` job kind: one track is a prompt × take, made by generate
//! (one music engine call, or a continuation joined onto the audio it
//! continues) → the shared [`deliver`](crate::pipeline::cx::deliver) (master → encode
//! → peaks).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::master::MasterSettings;
use crate::audio::wav::{WavBlockReader, WavBlockWriter};
use crate::engines::music::{Continuation, MusicRequest};
use crate::error::{Error, Result};
use crate::pipeline::cx::{deliver, TrackCx};
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
}

/// Runs a music track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let recipe: MusicRecipe = serde_json::from_str(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: bad music recipe: {e}", c.track.id)))?;
    let engine = engine_named(c, &recipe.engine)?;
    let sr = c.batch.sample_rate_hz;
    let mut force = false;
    let take_path = c.work.join("take.wav");
    c.file_step(Step::Generate, &mut force, &take_path, |out| {
        let req = MusicRequest {
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
        };
        let new_path = c.work.join("new.wav");
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
    deliver(
        c,
        &mut force,
        &take_path,
        MasterSettings {
            target_lufs: recipe.target_lufs,
            ceiling_dbtp: -1.0,
        },
    )
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
