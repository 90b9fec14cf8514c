//! The `speech` kind: a script's section × a variant → a spoken, mixed,
//! mastered track with subtitles. Steps: synthesize (per sentence, cached
//! across batches) → check (each sentence heard by the recognizer, when the
//! batch checks) → retake (best of N for flagged sentences) → assemble → mix → master → encode → peaks → subtitles.
//! [`plan`] turns a Generate request into the batch's tracks; [`retake`]
//! regenerates one sentence; [`check`] reads a batch's flags.

pub mod best_of;
pub mod casting;
pub mod check;
pub mod lexicon;
pub(crate) mod lines;
pub mod pauses;
pub mod plan;
pub mod recipe;
pub mod retake;
pub mod steps;
pub mod takes;

pub use plan::{GenerateRequest, Plan};
pub use recipe::SpeechRecipe;

use crate::pipeline::kind::KindDef;
use crate::store::{JobKind, Step, TrackRow};

/// The speech kind.
pub static KIND: KindDef = KindDef {
    kind: JobKind::Speech,
    label: "Speech",
    track_noun: "track",
    steps: &[
        Step::Synthesize,
        Step::Check,
        Step::Retake,
        Step::Assemble,
        Step::Mix,
        Step::Master,
        Step::Encode,
        Step::Peaks,
        Step::Subtitles,
    ],
    run: steps::run,
    tag_title,
};

/// A speech track's title tag: its section's title, with the variant in
/// brackets unless it is the plain `voice` variant (`Morning (sleep)`).
fn tag_title(t: &TrackRow) -> String {
    let variant = t.variant.as_str();
    if variant.is_empty() || variant == "voice" {
        t.title.clone()
    } else {
        format!("{} ({variant})", t.title)
    }
}
