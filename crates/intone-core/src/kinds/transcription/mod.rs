//! The `transcription` kind: an input recording → its transcript (text, SRT,
//! WebVTT) beside a mastered copy; nothing is converted. Steps: ingest (at
//! the batch's sample rate) → master → encode → peaks → transcribe. [`plan`]
//! turns dropped files into the batch's tracks.

pub mod plan;
pub mod steps;

pub use plan::{TranscribePlan, TranscribeRequest, TRANSCRIPT_LABEL};
pub use steps::TranscriptionRecipe;

use crate::pipeline::kind::{plain_title, KindDef};
use crate::store::{JobKind, Step};

/// The transcription kind.
pub static KIND: KindDef = KindDef {
    kind: JobKind::Transcription,
    label: "Transcription",
    track_noun: "transcript",
    steps: &[
        Step::Ingest,
        Step::Master,
        Step::Encode,
        Step::Peaks,
        Step::Transcribe,
    ],
    run: steps::run,
    tag_title: plain_title,
};
