//! The `scenes` kind: a scene list → one score, a take per scene (each
//! continuing the last), merged with crossfades on the boundaries and fitted
//! to the target length. Steps: generate (per scene, a durable unit each) →
//! merge → fit → master → encode → peaks. [`plan`] turns a scene list into
//! the batch's one track.

pub mod options;
pub mod plan;
pub mod steps;

pub use plan::{
    SceneChange, SceneState, ScoreRequest, ScoreView, DEFAULT_CROSSFADE_MS, DEFAULT_SCORE_LUFS,
};
pub use steps::{
    scenes_dir, MergeOut, OnError, Scene, SceneTake, ScenesRecipe, Snap, MAX_SCENE_ATTEMPTS,
    SNAP_SLACK_MS,
};

use crate::pipeline::kind::{plain_title, KindDef};
use crate::store::{JobKind, Step};

/// The scenes kind.
pub static KIND: KindDef = KindDef {
    kind: JobKind::Scenes,
    label: "Scenes",
    track_noun: "score",
    steps: &[
        Step::Generate,
        Step::Merge,
        Step::Fit,
        Step::Master,
        Step::Encode,
        Step::Peaks,
    ],
    run: steps::run,
    tag_title: plain_title,
};
