//! The `transcription` job kind: one track is an input file (a recording the
//! user dropped), made by ingest (decoded, at the batch's sample rate) → the
//! shared [`deliver`](crate::pipeline::cx::deliver) (master → encode → peaks: a
//! mastered copy to play beside the text) → [`transcribe`](crate::pipeline::transcribe)
//! (the recording heard by the speech recognizer; text, SRT and WebVTT
//! beside the delivered file). Nothing is converted.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::audio::master::MasterSettings;
use crate::error::{Error, Result};
use crate::pipeline::cx::TrackCx;
use crate::pipeline::ingest::ingest_step;
use crate::pipeline::transcribe::{deliver_with_transcript, Need};
use crate::store::TrackResult;

/// How a transcription track is made: stored with the track as its recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptionRecipe {
    /// The stored copy of the input (`inputs/<blake3>.<ext>`).
    pub input_path: PathBuf,
    /// BLAKE3 of the input.
    pub input_hash: String,
    /// Loudness target of the delivered copy, LUFS.
    pub target_lufs: f64,
    /// True-peak ceiling, dBTP.
    pub ceiling_dbtp: f64,
}

/// Runs a transcription track's steps.
pub(crate) fn run(c: &TrackCx<'_>) -> Result<TrackResult> {
    let recipe: TranscriptionRecipe = serde_json::from_str(&c.recipe_json).map_err(|e| {
        Error::Config(format!(
            "track {}: bad transcription recipe: {e}",
            c.track.id
        ))
    })?;
    let mut force = false;
    let ingested = ingest_step(
        c,
        &mut force,
        &recipe.input_path,
        Some(c.batch.sample_rate_hz),
    )?;
    deliver_with_transcript(
        c,
        &mut force,
        &ingested.path,
        &ingested.path,
        MasterSettings {
            target_lufs: recipe.target_lufs,
            ceiling_dbtp: recipe.ceiling_dbtp,
        },
        Need::Required,
    )
}
