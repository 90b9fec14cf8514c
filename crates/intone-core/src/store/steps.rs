//! Durable steps: a step is `done` only after its output file was renamed into
//! place; its JSON output (paths, measurements) is memoized so it never runs
//! again for that track.

use rusqlite::{params, OptionalExtension};

use super::types::Step;
use super::Store;
use crate::error::Result;

/// A finished or failed step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    /// Step name.
    pub stage: Step,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// Times it was started.
    pub attempts: i64,
    /// Memoized output (JSON) when done.
    pub output_json: Option<String>,
    /// Error when failed.
    pub error: Option<String>,
}

impl Store {
    /// The step record of `track_id`/`step`, if any.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn step(&self, track_id: i64, stage: Step) -> Result<Option<StepRow>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT name, status, attempts, output_json, error FROM steps WHERE track_id = ?1 AND name = ?2",
                params![track_id, stage],
                |r| {
                    Ok(StepRow {
                        stage: r.get(0)?,
                        status: r.get(1)?,
                        attempts: r.get(2)?,
                        output_json: r.get(3)?,
                        error: r.get(4)?,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Marks a step started (counting the attempt).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn begin_step(&self, track_id: i64, stage: Step) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO steps (track_id, name, status, attempts, started_at)
                 VALUES (?1, ?2, 'running', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 ON CONFLICT (track_id, name) DO UPDATE SET status = 'running', attempts = attempts + 1,
                     error = NULL, output_json = NULL, started_at = excluded.started_at, finished_at = NULL",
                params![track_id, stage],
            )?;
            Ok(())
        })
    }

    /// Marks a step done with its memoized output. Call only after its files
    /// are committed.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn finish_step(&self, track_id: i64, stage: Step, output_json: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE steps SET status = 'done', output_json = ?3, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE track_id = ?1 AND name = ?2",
                params![track_id, stage, output_json],
            )?;
            Ok(())
        })
    }

    /// Marks a step failed.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn fail_step(&self, track_id: i64, stage: Step, error: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE steps SET status = 'failed', error = ?3, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE track_id = ?1 AND name = ?2",
                params![track_id, stage, error],
            )?;
            Ok(())
        })
    }

    /// Forgets a step so it runs again (its output file went missing).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn forget_step(&self, track_id: i64, stage: Step) -> Result<()> {
        self.with(|c| {
            c.execute(
                "DELETE FROM steps WHERE track_id = ?1 AND name = ?2",
                params![track_id, stage],
            )?;
            Ok(())
        })
    }
}
