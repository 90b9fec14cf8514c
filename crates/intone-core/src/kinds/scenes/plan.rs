//! Scoring a video's scenes: a scene list (typed in the Scenes view, or a
//! TOML/Markdown/CSV file) → a `scenes` batch of one track, the score.
//! Also the score's scenes as the view shows them, regenerating one scene,
//! and exporting the score alone or put into a copy of the video.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::fit::FitMode;
use crate::audio::video;
use crate::engines::music::builtin::MAX_DURATION_S;
use crate::error::{Error, Result};
use crate::kinds::delivery::Delivery;
use crate::kinds::music::plan::check_param;
use crate::kinds::scenes::{scenes_dir, MergeOut, OnError, Scene, SceneTake, ScenesRecipe, Snap};
use crate::script::scenes::{SceneEntry, SceneList};
use crate::store::{JobKind, NewBatch, NewTrack, Step, TrackStatus, UnitStatus};
use crate::studio::Studio;

/// Default crossfade on scene boundaries, ms.
pub const DEFAULT_CROSSFADE_MS: u32 = 1_000;
/// Longest crossfade, ms.
pub const MAX_CROSSFADE_MS: u32 = 10_000;
/// Default loudness target of a score, LUFS.
pub const DEFAULT_SCORE_LUFS: f64 = -16.0;

/// A Generate score click (or `intone scenes`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreRequest {
    /// Name of the score; `None`: the video's name, else "Score".
    pub title: Option<String>,
    /// The scenes, in order.
    pub scenes: Vec<SceneEntry>,
    /// The video scored; its duration is the target unless `target_ms` is given.
    pub video: Option<PathBuf>,
    /// Target length, ms; `None`: the video's, else the scenes' sum.
    pub target_ms: Option<u32>,
    /// Music engine; `None` = the built-in composer.
    pub engine: Option<String>,
    /// The engine's model; `None` = its default.
    pub model: Option<String>,
    /// Crossfade on each boundary, ms.
    pub crossfade_ms: u32,
    /// How the merged scenes are fitted to the target.
    pub fit: FitMode,
    /// What a scene that cannot be generated becomes.
    pub on_error: OnError,
    /// Where scene changes fall (`bar`: on the outgoing take's bar line).
    pub snap: Snap,
    /// How its files are delivered.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Project name; `None` = "Scores".
    pub project: Option<String>,
}

impl Default for ScoreRequest {
    fn default() -> Self {
        Self {
            delivery: Delivery::default(),
            title: None,
            scenes: Vec::new(),
            video: None,
            target_ms: None,
            engine: None,
            model: None,
            crossfade_ms: DEFAULT_CROSSFADE_MS,
            fit: FitMode::Trim,
            on_error: OnError::ContinueWithSilence,
            snap: Snap::None,
            project: None,
        }
    }
}

impl ScoreRequest {
    /// An order from a scene list, its settings filled in where it names them.
    ///
    /// # Errors
    /// [`Error::Config`] for a fit mode or error strategy it misnames.
    pub fn from_list(list: SceneList) -> Result<Self> {
        Ok(Self {
            title: list.title,
            target_ms: list.duration_ms,
            engine: list.engine,
            model: list.model,
            crossfade_ms: list.crossfade_ms.unwrap_or(DEFAULT_CROSSFADE_MS),
            fit: list.fit.as_deref().map_or(Ok(FitMode::Trim), str::parse)?,
            on_error: list
                .on_error
                .as_deref()
                .map_or(Ok(OnError::ContinueWithSilence), str::parse)?,
            snap: list.snap.as_deref().map_or(Ok(Snap::None), str::parse)?,
            scenes: list.scenes,
            ..Self::default()
        })
    }
}

/// One scene of a score as the Scenes view shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneState {
    /// 1-based position.
    pub number: u32,
    /// The scene as planned.
    pub scene: Scene,
    /// Where it starts in the delivered score, ms.
    pub start_ms: f64,
    /// `pending`, `running`, `done` or `failed`.
    pub status: String,
    /// Whether silence took its place (its generation failed).
    pub silent: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// Times its generation was started.
    pub attempts: i64,
    /// Its take (handles included), when made.
    pub take_path: Option<String>,
}

/// A score with its scenes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreView {
    /// The score's track id.
    pub track_id: i64,
    /// Its batch.
    pub batch_id: i64,
    /// How it is made.
    pub recipe: ScenesRecipe,
    /// Its scenes.
    pub scenes: Vec<SceneState>,
}

/// What to change when regenerating one scene.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SceneChange {
    /// A new prompt; `None` keeps it.
    pub prompt: Option<String>,
    /// A new seed; `None` picks a new random one.
    pub seed: Option<u32>,
}

impl Studio {
    /// Checks a scenes order and records its batch (one track: the score),
    /// before any work. Returns the batch id.
    ///
    /// # Errors
    /// [`Error::Config`] naming the scene or setting at fault;
    /// [`Error::NotFound`] for an unknown engine or a missing video or
    /// ffprobe.
    pub fn create_scenes_batch(&self, order: &ScoreRequest) -> Result<i64> {
        let (recipe, title) = self.plan_scenes(order)?;
        let recipe_json =
            serde_json::to_string(&recipe).map_err(|e| Error::Config(e.to_string()))?;
        let key = format!(
            "scenes\n{recipe_json}\n{}\n{}\n{}\n{}",
            order.delivery.encode.key(order.delivery.format),
            order.delivery.sample_rate_hz,
            order.delivery.bit_depth,
            fastrand::u64(..)
        );
        let track = NewTrack {
            title,
            section: None,
            input_hash: None,
            source_key: Some(blake3::hash(key.as_bytes()).to_hex().to_string()),
            variant: format!(
                "{} scenes · {}",
                recipe.scenes.len(),
                clock(u64::from(recipe.target_ms))
            ),
            recipe_json,
            collection: None,
        };
        let engine = match &recipe.model {
            Some(m) => format!("{}:{m}", recipe.engine),
            None => recipe.engine.clone(),
        };
        self.store().create_batch(&NewBatch {
            project: order.project.as_deref().unwrap_or("Scores"),
            kind: JobKind::Scenes,
            engine: &engine,
            delivery: &order.delivery,
            speech_check: false,
            scripts: &[],
            tracks: &[track],
        })
    }

    /// The recipe and title of a checked order.
    fn plan_scenes(&self, order: &ScoreRequest) -> Result<(ScenesRecipe, String)> {
        if order.scenes.is_empty() {
            return Err(Error::Config(
                "there are no scenes: add a scene with a prompt and a length".into(),
            ));
        }
        if order.scenes.len() > crate::script::scenes::MAX_SCENES {
            return Err(Error::Config(format!(
                "at most {} scenes",
                crate::script::scenes::MAX_SCENES
            )));
        }
        order.delivery.check()?;
        if order.crossfade_ms > MAX_CROSSFADE_MS {
            return Err(Error::Config(format!(
                "crossfade must be at most {MAX_CROSSFADE_MS} ms, not {}",
                order.crossfade_ms
            )));
        }
        let (name, _, info, model) =
            self.music_engine(order.engine.as_deref(), order.model.as_deref())?;
        let mut scenes = Vec::new();
        let mut total_ms = 0u64;
        for (i, s) in order.scenes.iter().enumerate() {
            let which = |m: String| Error::Config(format!("scene {}: {m}", i + 1));
            let prompt = s.prompt.trim();
            if prompt.is_empty() {
                return Err(which("the prompt is empty".into()));
            }
            if prompt.chars().count() > 1000 {
                return Err(which("the prompt is longer than 1000 characters".into()));
            }
            if s.duration_ms < 500 {
                return Err(which(format!(
                    "{} ms is too short; a scene lasts at least 0.5 s",
                    s.duration_ms
                )));
            }
            for (k, v) in &s.params {
                let p = info.params.iter().find(|p| &p.name == k).ok_or_else(|| {
                    let known: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
                    which(format!(
                        "music engine \"{name}\" has no parameter \"{k}\" (it takes {})",
                        known.join(", ")
                    ))
                })?;
                check_param(p, v).map_err(|e| which(e.to_string()))?;
            }
            total_ms += u64::from(s.duration_ms);
            scenes.push(Scene {
                prompt: prompt.to_string(),
                duration_ms: s.duration_ms,
                seed: s.seed.unwrap_or_else(|| fastrand::u32(..1_000_000)),
                params: s.params.clone(),
            });
        }
        let max_ms = (MAX_DURATION_S * 1000.0) as u64;
        if total_ms > max_ms {
            return Err(Error::Config(format!(
                "the scenes last {}; a score is at most {}",
                clock(total_ms),
                clock(max_ms)
            )));
        }
        let video = match &order.video {
            Some(v) => {
                video::check_video_path(v)?;
                Some(std::fs::canonicalize(v).map_err(|e| Error::io(v, e))?)
            }
            None => None,
        };
        let target_ms = match (order.target_ms, &video) {
            (Some(t), _) => t,
            (None, Some(v)) => video::video_duration_ms(v)?,
            (None, None) => total_ms as u32,
        };
        if !(500..=max_ms).contains(&u64::from(target_ms)) {
            return Err(Error::Config(format!(
                "the target length must be from 0.5 s to {}, not {}",
                clock(max_ms),
                clock(u64::from(target_ms))
            )));
        }
        if let Some(v) = &video {
            video::check_video_path(v)?;
        }
        let title = order
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                video
                    .as_ref()
                    .and_then(|v| v.file_stem())
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "Score".into());
        Ok((
            ScenesRecipe {
                engine: name,
                model,
                scenes,
                target_ms,
                crossfade_ms: order.crossfade_ms,
                fit: order.fit,
                on_error: order.on_error,
                snap: order.snap,
                target_lufs: order.delivery.target_or(DEFAULT_SCORE_LUFS),
                video,
            },
            title,
        ))
    }

    /// The recipe of score `track_id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track; [`Error::Config`] for a
    /// track that is not a score.
    pub fn score_recipe(&self, track_id: i64) -> Result<ScenesRecipe> {
        let t = self.store().track(track_id)?;
        if self.store().batch(t.batch_id)?.kind != JobKind::Scenes {
            return Err(Error::Config(format!("track {track_id} is not a score")));
        }
        let (_, json) = self.store().track_inputs(track_id)?;
        serde_json::from_str(&json)
            .map_err(|e| Error::Config(format!("score {track_id}: bad recipe: {e}")))
    }

    /// Score `track_id` with each scene's state and take.
    ///
    /// # Errors
    /// As [`Self::score_recipe`].
    pub fn score(&self, track_id: i64) -> Result<ScoreView> {
        let recipe = self.score_recipe(track_id)?;
        let t = self.store().track(track_id)?;
        let units = self.store().units(track_id, Step::Generate)?;
        let merged: Option<MergeOut> = self
            .store()
            .step(track_id, Step::Merge)?
            .and_then(|s| s.output_json)
            .and_then(|j| serde_json::from_str(&j).ok());
        let starts = recipe.boundaries_ms(merged.as_ref().map(|m| m.starts_ms.as_slice()));
        let completed = t.status == TrackStatus::Completed;
        let scenes = recipe
            .scenes
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let u = units.iter().find(|u| u.idx == i as i64);
                let take = u
                    .filter(|u| u.status == UnitStatus::Done)
                    .and_then(|u| u.output_json.as_deref())
                    .and_then(|j| serde_json::from_str::<SceneTake>(j).ok())
                    .and_then(|t| t.path)
                    .filter(|p| p.is_file());
                let status = u.map_or("pending", |u| match u.status {
                    UnitStatus::Pending => "pending",
                    UnitStatus::Running => "running",
                    UnitStatus::Done => "done",
                    UnitStatus::Failed => "failed",
                });
                SceneState {
                    number: i as u32 + 1,
                    scene: s.clone(),
                    start_ms: starts.get(i).copied().unwrap_or(0.0),
                    status: status.into(),
                    silent: status == "failed" && completed,
                    error: u.and_then(|u| u.error.clone()),
                    attempts: u.map_or(0, |u| u.attempts),
                    take_path: take.map(|p| p.display().to_string()),
                }
            })
            .collect();
        Ok(ScoreView {
            track_id,
            batch_id: t.batch_id,
            recipe,
            scenes,
        })
    }

    /// Regenerates scene `number` (1-based) of score `track_id` with a new
    /// seed or prompt: the score's track is reopened with the changed
    /// recipe; a run then makes that scene again, reuses the others' takes,
    /// and merges, fits and masters anew. Returns the batch id to run.
    ///
    /// # Errors
    /// [`Error::Config`] for a scene number out of range, a running score
    /// or an empty prompt; as [`Self::score_recipe`].
    pub fn regenerate_scene(
        &self,
        track_id: i64,
        number: u32,
        change: &SceneChange,
    ) -> Result<i64> {
        let mut recipe = self.score_recipe(track_id)?;
        let n = recipe.scenes.len();
        let scene = number
            .checked_sub(1)
            .and_then(|i| recipe.scenes.get_mut(i as usize))
            .ok_or_else(|| {
                Error::Config(format!("score {track_id} has scenes 1–{n}, not {number}"))
            })?;
        if let Some(p) = &change.prompt {
            let p = p.trim();
            if p.is_empty() {
                return Err(Error::Config(format!(
                    "scene {number}: the prompt is empty"
                )));
            }
            scene.prompt = p.to_string();
        }
        scene.seed = change
            .seed
            .unwrap_or_else(|| scene.seed.wrapping_add(1 + fastrand::u32(..1_000_000)));
        let json = serde_json::to_string(&recipe).map_err(|e| Error::Config(e.to_string()))?;
        if !self.store().reopen_track(track_id, &json)? {
            return Err(Error::Config(format!(
                "score {track_id} is being made; wait for it to finish"
            )));
        }
        Ok(self.store().track(track_id)?.batch_id)
    }

    /// Where score `track_id`'s scene takes are kept.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown track.
    pub fn scene_takes_dir(&self, track_id: i64) -> Result<PathBuf> {
        let t = self.store().track(track_id)?;
        let b = self.store().batch(t.batch_id)?;
        Ok(scenes_dir(self.home(), &b.project_slug, track_id))
    }
}

/// `m:ss` (or `h:mm:ss`) of ms.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}
