//! The `scenes` job kind: one track is a scene list, made into one score by
//! generate (per scene, in order, each continuing the last) → merge
//! (crossfades centred on the boundaries, [`crate::pipeline::merge`]) → fit (to the
//! target length, [`crate::audio::fit`]) → the shared
//! [`deliver`](crate::pipeline::cx::deliver) (master → encode → peaks).
//!
//! Scenes are the [`units`](crate::store::UnitRow) of the generate step.
//! Each scene's take is committed to `projects/<slug>/scenes/track-<id>/`
//! (kept after the track completes: each plays alone, and a regenerated
//! scene reuses the others) before its unit is marked done, so a crash in
//! scene 4 resumes at scene 4, continuing from scene 3's stored take. A
//! scene is keyed by what makes it (engine, model, prompt, length, seed,
//! parameters, handles), not by the scene before it, so changing one scene
//! redoes that scene alone.
//!
//! **Errors.** A scene whose generation fails after the retry policy either
//! stops the track ([`OnError::Halt`]: the finished scenes stay for a
//! retry) or is replaced by silence of its length ([`OnError::ContinueWithSilence`]:
//! its unit stays failed, the score completes, and a retry of the batch
//! generates that scene and merges again).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use super::options::{OnError, Snap, SNAP_SLACK_MS};
use crate::audio::fit::{fit, FitMode};
use crate::audio::master::MasterSettings;
use crate::audio::wav::{read_clip, write_clip};
use crate::engines::music::analysis;
use crate::engines::music::carry::Carry;
use crate::engines::music::{Continuation, MusicEngine, MusicRequest};
use crate::error::{Error, Result};
use crate::fsio;
use crate::pipeline::cx::{deliver, TrackCx};
use crate::pipeline::failpoint;
use crate::pipeline::merge::{layout, merge, snap, with_slack, SceneSpan};
use crate::pipeline::units::{Prior, Units};
use crate::store::{Step, TrackResult};

/// Starts of one scene counted across restarts before it is given up on.
pub const MAX_SCENE_ATTEMPTS: i64 = 5;

/// One scene of a score.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    /// What the music does here, in words.
    pub prompt: String,
    /// Length of the scene on the score, ms.
    pub duration_ms: u32,
    /// Seed of its take.
    pub seed: u32,
    /// Engine parameters for this scene (values as text).
    pub params: BTreeMap<String, String>,
}

/// How a score is made; stored as the track's recipe.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenesRecipe {
    /// Music engine name.
    pub engine: String,
    /// The engine's model, when it has several.
    pub model: Option<String>,
    /// The scenes, in order.
    pub scenes: Vec<Scene>,
    /// Length the score is fitted to, ms.
    pub target_ms: u32,
    /// Crossfade on each scene boundary, ms.
    pub crossfade_ms: u32,
    /// How the merged scenes are fitted to the target.
    pub fit: FitMode,
    /// What a scene that cannot be generated becomes.
    pub on_error: OnError,
    /// Loudness target, LUFS.
    pub target_lufs: f64,
    /// The video the score is for (a kept input's path), if any.
    pub video: Option<PathBuf>,
    /// Where scene changes fall.
    #[serde(default)]
    pub snap: Snap,
}

impl ScenesRecipe {
    /// The scenes laid out at `sample_rate_hz` (before fitting).
    pub fn spans(&self, sample_rate_hz: u32) -> Vec<SceneSpan> {
        let d: Vec<u64> = self
            .scenes
            .iter()
            .map(|s| u64::from(s.duration_ms))
            .collect();
        let spans = layout(&d, self.crossfade_ms, sample_rate_hz);
        match self.snap {
            Snap::None => spans,
            Snap::Bar => with_slack(&spans, SNAP_SLACK_MS * u64::from(sample_rate_hz) / 1000),
        }
    }

    /// Where each scene starts in the delivered score, ms: its start on
    /// the merged scenes (`merged_starts_ms`, as the merge placed them after
    /// snapping, else as the list lays them), moved by the fit's stretch.
    pub fn boundaries_ms(&self, merged_starts_ms: Option<&[f64]>) -> Vec<f64> {
        let total: u64 = self.scenes.iter().map(|s| u64::from(s.duration_ms)).sum();
        let scale = self.fit.time_scale(total as usize, self.target_ms as usize);
        let mut at = 0u64;
        let planned: Vec<f64> = self
            .scenes
            .iter()
            .map(|s| {
                let b = at as f64;
                at += u64::from(s.duration_ms);
                b
            })
            .collect();
        merged_starts_ms
            .filter(|m| m.len() == planned.len())
            .unwrap_or(&planned)
            .iter()
            .map(|b| (b * scale).min(f64::from(self.target_ms)))
            .collect()
    }
}

/// A scene's committed take.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SceneTake {
    /// The take (`None`: replaced by silence).
    pub path: Option<PathBuf>,
    /// The engine's musical state at its end (see `MusicEngine::end_state`).
    pub state: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct GenerateOut {
    takes: Vec<SceneTake>,
}

/// What the merge step wrote: the merged scenes, and where each scene
/// starts on them (after snapping), ms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergeOut {
    /// The merged score (f32 WAV).
    pub path: PathBuf,
    /// Each scene's start on the merged score, ms.
    pub starts_ms: Vec<f64>,
}

/// Runs a scenes track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let recipe: ScenesRecipe = serde_json::from_str(&c.recipe_json)
        .map_err(|e| Error::Config(format!("track {}: bad scenes recipe: {e}", c.track.id)))?;
    let engine = crate::kinds::music::steps::engine_named(c, &recipe.engine)?;
    let sr = c.batch.sample_rate_hz;
    let spans = recipe.spans(sr);
    let keyed: Vec<(String, String)> = recipe
        .scenes
        .iter()
        .zip(&spans)
        .enumerate()
        .map(|(i, (s, sp))| {
            (
                scene_key(&recipe, s, sp, i, sr),
                serde_json::to_string(sp).unwrap_or_default(),
            )
        })
        .collect();
    let units = c.units(Step::Generate, &keyed, MAX_SCENE_ATTEMPTS, "the engine")?;
    c.check_cancelled()?;

    let mut force = false;
    let generated: GenerateOut = c.step(
        Step::Generate,
        &mut force,
        |o: &GenerateOut| {
            o.takes
                .iter()
                .all(|t| t.path.as_ref().is_none_or(|p| p.is_file()))
        },
        || generate_scenes(c, &units, engine.as_ref(), &recipe, &spans, &keyed),
    )?;
    c.check_cancelled()?;
    let merged = c.work.join("merged.wav");
    c.step(
        Step::Merge,
        &mut force,
        |o: &MergeOut| o.path.is_file(),
        || {
            let takes: Vec<Option<PathBuf>> =
                generated.takes.iter().map(|t| t.path.clone()).collect();
            let placed = match recipe.snap {
                Snap::None => spans.clone(),
                Snap::Bar => {
                    let bars: Vec<Vec<u64>> = generated
                        .takes
                        .iter()
                        .zip(&spans)
                        .map(|(t, sp)| bar_lines(t, sp, sr))
                        .collect();
                    snap(&spans, &bars)
                }
            };
            fsio::write_with(&merged, |tmp| merge(&takes, &placed, sr, tmp))?;
            Ok(MergeOut {
                path: merged.clone(),
                starts_ms: placed
                    .iter()
                    .map(|s| s.start as f64 * 1000.0 / f64::from(sr))
                    .collect(),
            })
        },
    )?;
    c.check_cancelled()?;
    let fitted = c.work.join("fitted.wav");
    c.file_step(Step::Fit, &mut force, &fitted, |out| {
        let clip = read_clip(&merged)?;
        let target = (u64::from(recipe.target_ms) * u64::from(sr) / 1000) as usize;
        let f = fit(&clip, target, recipe.fit)?;
        fsio::write_with(out, |tmp| write_clip(tmp, &f))
    })?;
    deliver(
        c,
        &mut force,
        &fitted,
        MasterSettings {
            target_lufs: recipe.target_lufs,
            ceiling_dbtp: -1.0,
        },
    )
}

/// The score frames of the bar lines in the take of a scene laid out as
/// `span`: from the composer's own state at the take's end (its tempo,
/// meter and the time to its next downbeat), else estimated from the
/// audio. Empty for silence or a take with no audible beat.
fn bar_lines(take: &SceneTake, span: &SceneSpan, sr: u32) -> Vec<u64> {
    let Some(path) = &take.path else {
        return Vec::new();
    };
    let take_s = span.take_frames() as f64 / f64::from(sr);
    let known = take
        .state
        .as_deref()
        .and_then(|s| serde_json::from_str::<Carry>(s).ok())
        .map(|c| {
            let bar_s = 60.0 / f64::from(c.tempo_bpm.clamp(40.0, 200.0))
                * f64::from(c.beats_per_bar.max(1));
            ((take_s + c.next_downbeat_s).rem_euclid(bar_s), bar_s)
        });
    let grid = match known {
        Some(g) => Some(g),
        None => analysis::bar_grid(path).ok().flatten(),
    };
    let Some((first_s, bar_s)) = grid.filter(|g| g.1 > 0.05) else {
        return Vec::new();
    };
    let start = span.take_start() as f64;
    (0..)
        .map(|k| first_s + f64::from(k) * bar_s)
        .take_while(|t| *t <= take_s)
        .map(|t| (start + t * f64::from(sr)).round() as u64)
        .collect()
}

/// BLAKE3 of what makes scene `idx`'s take.
fn scene_key(r: &ScenesRecipe, s: &Scene, sp: &SceneSpan, idx: usize, sr: u32) -> String {
    crate::hash::key(&[
        r.engine.clone(),
        r.model.clone().unwrap_or_default(),
        s.prompt.clone(),
        s.seed.to_string(),
        serde_json::to_string(&s.params).unwrap_or_default(),
        format!(
            "{}-{}-{}-{}-{sr}{}",
            sp.pre,
            sp.end - sp.start,
            sp.post,
            idx > 0,
            if sp.before + sp.after > 0 {
                format!("-slack-{}-{}", sp.before, sp.after)
            } else {
                String::new()
            }
        ),
    ])
}

/// Where a score's scene takes are kept: outside the track's work folder,
/// which goes when the track completes.
pub fn scenes_dir(home: &crate::home::Home, project_slug: &str, track_id: i64) -> PathBuf {
    home.project_dir(project_slug)
        .join("scenes")
        .join(format!("track-{track_id}"))
}

/// Generates every scene not done yet, in order, each continuing from the
/// take before it.
fn generate_scenes(
    c: &TrackCx<'_>,
    units: &Units<'_, '_>,
    engine: &dyn MusicEngine,
    recipe: &ScenesRecipe,
    spans: &[SceneSpan],
    keyed: &[(String, String)],
) -> Result<GenerateOut> {
    let total = recipe.scenes.len();
    let dir = scenes_dir(&c.p.home, &c.batch.project_slug, c.track.id);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    fsio::remove_stale_temps(&dir);
    let mut takes: Vec<SceneTake> = Vec::with_capacity(total);
    let mut generated_here = 0usize;
    for (i, scene) in recipe.scenes.iter().enumerate() {
        units.emit(i);
        let valid = |t: &SceneTake| t.path.as_ref().is_some_and(|p| p.is_file());
        match units.prior(i, valid)? {
            Prior::Done(t) => {
                takes.push(t);
                continue;
            }
            // Given up on in an earlier run (a retry puts it back to pending).
            Prior::Failed if recipe.on_error == OnError::ContinueWithSilence => {
                takes.push(SceneTake {
                    path: None,
                    state: None,
                });
                continue;
            }
            Prior::Failed => units.reset(i)?,
            Prior::Todo => {}
        }
        let req = scene_request(c, recipe, spans, i, takes.last());
        let out = dir.join(format!("scene-{:02}-{}.wav", i + 1, &keyed[i].0[..12]));
        let r = units.attempt(
            i,
            || generate_one(c, engine, &req, &spans[i], &out),
            |e| {
                Error::Config(format!(
                    "scene {} of {total} (\"{}\"): {e}",
                    i + 1,
                    short(&scene.prompt)
                ))
            },
        );
        match r {
            Ok(t) => {
                generated_here += 1;
                failpoint::hit(
                    &format!("generate:scene:{generated_here}"),
                    c.track.position,
                );
                takes.push(t);
            }
            Err(e @ (Error::Store(_) | Error::Cancelled)) => return Err(e),
            Err(e) => match recipe.on_error {
                OnError::Halt => return Err(e),
                OnError::ContinueWithSilence => {
                    tracing::warn!("{}: {e}; silence takes its place", c.track.title);
                    takes.push(SceneTake {
                        path: None,
                        state: None,
                    });
                }
            },
        }
        c.check_cancelled()?;
    }
    units.emit(total);
    // Takes of earlier versions of the scenes (regenerated since) go.
    let keep: Vec<PathBuf> = takes.iter().filter_map(|t| t.path.clone()).collect();
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            if !keep.contains(&e.path()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(GenerateOut { takes })
}

/// The engine request of scene `i`, continuing from the take before it
/// (`prev`) when there is one.
fn scene_request(
    c: &TrackCx<'_>,
    recipe: &ScenesRecipe,
    spans: &[SceneSpan],
    i: usize,
    prev: Option<&SceneTake>,
) -> MusicRequest {
    let sr = c.batch.sample_rate_hz;
    let scene = &recipe.scenes[i];
    MusicRequest {
        prompt: scene.prompt.clone(),
        model: recipe.model.clone(),
        duration_ms: spans[i].take_frames() * 1000 / u64::from(sr),
        seed: scene.seed,
        params: scene.params.clone(),
        continuation: prev.and_then(|p| {
            p.path.as_ref().map(|path| Continuation {
                path: path.clone(),
                overlap_ms: (spans[i].overlap_with(&spans[i - 1]) * 1000 / u64::from(sr)) as u32,
                crossfade: false,
                state: p.state.clone(),
            })
        }),
        open_end: i + 1 < recipe.scenes.len(),
        sample_rate_hz: sr,
        looped: false,
    }
}

/// Generates and commits one scene's take (one attempt of its unit).
/// Errors are the engine's (after the retry policy) or the store's.
fn generate_one(
    c: &TrackCx<'_>,
    engine: &dyn MusicEngine,
    req: &MusicRequest,
    span: &SceneSpan,
    out: &std::path::Path,
) -> Result<SceneTake> {
    fsio::write_with(out, |tmp| {
        crate::kinds::music::steps::generate(c, engine, req, tmp)?;
        // Exactly the frames the scene needs, whatever the engine made.
        let clip = read_clip(tmp)?.with_channels(2);
        let mut clip = crate::audio::resample::resample(&clip, req.sample_rate_hz)?;
        clip.samples.resize(span.take_frames() as usize * 2, 0.0);
        write_clip(tmp, &clip)
    })?;
    Ok(SceneTake {
        path: Some(out.to_path_buf()),
        state: engine.end_state(req),
    })
}

/// The first words of a prompt, for messages.
fn short(prompt: &str) -> String {
    let mut s: String = prompt.chars().take(48).collect();
    if prompt.chars().count() > 48 {
        s.push('…');
    }
    s
}
