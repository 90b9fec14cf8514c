//! Typed events the pipeline publishes on a broadcast channel; the CLI draws
//! progress bars from them and the desktop shell forwards them to the UI.
//! Progress events carry full counters, so a receiver that lagged and missed
//! some is correct again at the next one.

use serde::{Deserialize, Serialize};

use crate::store::{BatchRow, BatchStatus, Step, TrackStatus};

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
    /// A track changed status or step.
    TrackStatus {
        /// Batch id.
        batch_id: i64,
        /// Track id.
        track_id: i64,
        /// Track title (section title, input file name).
        title: String,
        /// Recipe name (variant, converter).
        variant: String,
        /// Status.
        status: TrackStatus,
        /// Step while running.
        stage: Option<Step>,
        /// Fraction of the step done (0..=1) when known.
        progress: Option<f32>,
        /// Sub-units of the step done and planned (`converting 37/80`).
        units: Option<UnitProgress>,
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

/// Sub-units of a step done so far, of how many.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitProgress {
    /// Units done.
    pub done: u32,
    /// Units planned.
    pub total: u32,
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
