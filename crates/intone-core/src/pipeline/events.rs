//! Typed events the pipeline publishes on a broadcast channel; the CLI draws
//! progress bars from them and the desktop shell forwards them to the UI.
//! Progress events carry full counters, so a receiver that lagged and missed
//! some is correct again at the next one.

use serde::{Deserialize, Serialize};

use crate::store::{BatchRow, BatchStatus, Stage, TrackStatus};

/// Something happened.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A batch's counters or status changed.
    BatchProgress {
        /// Batch id.
        batch_id: i64,
        /// Status.
        status: BatchStatus,
        /// Tracks in the batch.
        expected: i64,
        /// Completed tracks.
        completed: i64,
        /// Failed tracks.
        failed: i64,
        /// Cancelled tracks.
        cancelled: i64,
        /// Unfinished tracks.
        pending: i64,
    },
    /// A track changed status or stage.
    TrackStatus {
        /// Batch id.
        batch_id: i64,
        /// Track id.
        track_id: i64,
        /// Section title.
        section: String,
        /// Variant name.
        variant: String,
        /// Status.
        status: TrackStatus,
        /// Stage while running.
        stage: Option<Stage>,
        /// Fraction of the stage done (0..=1) when known.
        progress: Option<f32>,
        /// Error message when failed.
        error: Option<String>,
    },
    /// A line for the log view.
    Log {
        /// `info`, `warn` or `error`.
        level: String,
        /// The message.
        message: String,
    },
}

impl Event {
    /// A progress event from a batch row.
    pub fn progress(b: &BatchRow) -> Self {
        Self::BatchProgress {
            batch_id: b.id,
            status: b.status,
            expected: b.expected,
            completed: b.completed,
            failed: b.failed,
            cancelled: b.cancelled,
            pending: b.pending,
        }
    }
}
