//! The `music` kind: a prompt × N takes → generated, mastered music, kept in
//! the gallery. Steps: generate (one engine call, a continuation joined
//! onto the audio it continues, or a loop) → analyze (tempo, key, loop
//! length) → master → encode → peaks. [`plan`] turns a
//! music request into one track per take.

pub mod gallery;
pub mod plan;
pub mod steps;

pub use gallery::AudioFacts;
pub use plan::{MusicCatalog, MusicPlan, TakesRequest, BED_TAKE_S, DEFAULT_MUSIC_LUFS, MAX_TAKES};
pub use steps::MusicRecipe;

use crate::pipeline::kind::{plain_title, KindDef};
use crate::store::{JobKind, Step};

/// The music kind.
pub static KIND: KindDef = KindDef {
    kind: JobKind::Music,
    label: "Music",
    track_noun: "take",
    steps: &[
        Step::Generate,
        Step::Analyze,
        Step::Master,
        Step::Encode,
        Step::Peaks,
    ],
    run: steps::run,
    tag_title: plain_title,
};
