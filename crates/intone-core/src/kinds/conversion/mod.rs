//! The `conversion` kind: an input recording × a converter → chunked,
//! converted, joined, mastered track. Steps: ingest → chunk → convert (per
//! chunk, a durable unit each) → join → master → encode → peaks →
//! transcribe. [`plan`] turns dropped files into the batch's tracks.

pub mod plan;
pub mod steps;

pub use plan::{AlreadyConverted, ConvertPlan, ConvertRequest, DEFAULT_CONVERT_LUFS};
pub use steps::{ConversionRecipe, HANDLE_MS, MAX_CHUNK_ATTEMPTS};

use crate::pipeline::kind::{plain_title, KindDef};
use crate::store::{JobKind, Step};

/// The conversion kind.
pub static KIND: KindDef = KindDef {
    kind: JobKind::Conversion,
    label: "Conversion",
    track_noun: "track",
    steps: &[
        Step::Ingest,
        Step::Chunk,
        Step::Convert,
        Step::Join,
        Step::Master,
        Step::Encode,
        Step::Peaks,
        Step::Transcribe,
    ],
    run: steps::run,
    tag_title: plain_title,
};
