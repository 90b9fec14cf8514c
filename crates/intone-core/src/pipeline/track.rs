//! Runs one track of any kind through its durable steps: claims it, builds
//! its [`TrackCx`], hands it to its kind's run body (the batch's
//! [`KindDef`](super::kind::KindDef), from [`crate::kinds`]), and records how
//! it ended. A step whose record
//! says `done` (and whose output file exists) is skipped with its memoized
//! output; once a step runs, every later step runs too. Outputs are
//! committed (renamed into place) before the step is marked done.

use std::sync::Arc;

use super::cx::TrackCx;
use super::Pipeline;
use crate::error::{Error, Result};
use crate::store::{BatchRow, TrackResult, TrackStatus};

/// How a track run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Delivered.
    Completed,
    /// Failed with this message.
    Failed(String),
    /// Cancelled while running, or no longer pending when claimed.
    Skipped,
}

/// Runs track `track_id` of `batch` to completion, failure or cancellation.
///
/// # Errors
/// Only store failures; engine and audio errors become [`Outcome::Failed`].
pub fn run_track(p: &Arc<Pipeline>, batch: &BatchRow, track_id: i64) -> Result<Outcome> {
    if !p.store.claim_track(track_id)? {
        return Ok(Outcome::Skipped);
    }
    let track = p.store.track(track_id)?;
    p.emit_progress(batch.id);
    let (section_text, recipe_json) = p.store.track_inputs(track_id)?;
    let work = p.home.track_work_dir(track_id);
    let def = p.kind(batch.kind)?;
    let ctx = TrackCx {
        p,
        batch,
        def,
        track,
        section_text,
        recipe_json,
        work,
    };
    ctx.emit(TrackStatus::Running, None, None, None);
    match run_steps(&ctx) {
        Ok(res) => {
            if p.store.complete_track(track_id, &res)? {
                let _ = std::fs::remove_dir_all(&ctx.work);
                ctx.emit(TrackStatus::Completed, None, None, None);
                p.emit_progress(batch.id);
                Ok(Outcome::Completed)
            } else {
                p.emit_progress(batch.id);
                Ok(Outcome::Skipped)
            }
        }
        Err(Error::Cancelled) => {
            ctx.emit(TrackStatus::Cancelled, None, None, None);
            p.emit_progress(batch.id);
            Ok(Outcome::Skipped)
        }
        Err(e) => {
            let msg = e.to_string();
            tracing::warn!(
                "track {track_id} ({} · {}) failed: {msg}",
                ctx.track.title,
                ctx.track.variant
            );
            if p.store.fail_track(track_id, &msg)? {
                ctx.emit(TrackStatus::Failed, None, None, Some(msg.clone()));
            }
            p.emit_progress(batch.id);
            Ok(Outcome::Failed(msg))
        }
    }
}

fn run_steps(c: &TrackCx<'_>) -> Result<TrackResult> {
    std::fs::create_dir_all(&c.work).map_err(|e| Error::io(&c.work, e))?;
    crate::fsio::remove_stale_temps(&c.work);
    (c.def.run)(c)
}
