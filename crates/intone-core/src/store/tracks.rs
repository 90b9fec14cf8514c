//! Tracks: listing and the guarded state transitions of one track. Each
//! transition checks the current status in its `WHERE` clause (so a track
//! cancelled by another process is never marked completed) and recomputes the
//! batch's counters in the same transaction.

use rusqlite::{params, OptionalExtension};

use super::batches::recompute;
use super::types::{Step, TrackResult, TrackRow, TrackStatus};
use super::Store;
use crate::error::{Error, Result};

/// Columns read into a [`TrackRow`] (the table is aliased `t`); the unit
/// counts are of the track's latest unit step.
pub(crate) const TRACK_COLUMNS: &str = "t.id, t.batch_id, t.position, t.title, t.section_id, t.input_hash, t.variant, t.engine, \
     t.status, t.stage, t.output_path, t.duration_ms, t.sample_rate_hz, t.channels, t.loudness_lufs, t.true_peak_dbtp, \
     t.peaks_path, t.error, t.attempts, \
     (SELECT count(*) FROM units u WHERE u.track_id = t.id AND u.status = 'done'), \
     (SELECT count(*) FROM units u WHERE u.track_id = t.id), t.collection";

/// How many columns [`TRACK_COLUMNS`] has (queries add theirs after it).
pub(crate) const TRACK_COLUMN_COUNT: usize = 22;

pub(crate) fn track_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TrackRow> {
    Ok(TrackRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        position: r.get(2)?,
        title: r.get(3)?,
        section_id: r.get(4)?,
        input_hash: r.get(5)?,
        variant: r.get(6)?,
        engine: r.get(7)?,
        status: r.get(8)?,
        stage: r.get(9)?,
        output_path: r.get(10)?,
        duration_ms: r.get(11)?,
        sample_rate_hz: r.get(12)?,
        channels: r.get(13)?,
        loudness_lufs: r.get(14)?,
        true_peak_dbtp: r.get(15)?,
        peaks_path: r.get(16)?,
        error: r.get(17)?,
        attempts: r.get(18)?,
        units_done: r.get(19)?,
        units_total: r.get(20)?,
        collection: r.get(21)?,
    })
}

impl Store {
    /// The tracks of a batch in order.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown batch.
    pub fn tracks(&self, batch_id: i64) -> Result<Vec<TrackRow>> {
        self.batch(batch_id)?;
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {TRACK_COLUMNS} FROM tracks t WHERE t.batch_id = ?1 ORDER BY t.position"
            ))?;
            let rows = st
                .query_map([batch_id], track_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// One track.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub fn track(&self, id: i64) -> Result<TrackRow> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {TRACK_COLUMNS} FROM tracks t WHERE t.id = ?1"),
                [id],
                track_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no track {id}")))
        })
    }

    /// What a track is made from: its section's text (speech; empty for
    /// other kinds) and its recipe (JSON: a variant, a conversion recipe…).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub fn track_inputs(&self, id: i64) -> Result<(String, String)> {
        self.with(|c| {
            c.query_row(
                "SELECT coalesce(s.body, ''), t.recipe_json FROM tracks t
                 LEFT JOIN sections s ON s.id = t.section_id WHERE t.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no track {id}")))
        })
    }

    /// Replaces track `id`'s recipe without reopening it (a running speech
    /// track keeping best-of-N's choices).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn set_track_recipe(&self, id: i64, recipe_json: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE tracks SET recipe_json = ?2 WHERE id = ?1",
                rusqlite::params![id, recipe_json],
            )?;
            Ok(())
        })
    }

    /// Pending track ids of a batch, in order.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn pending_tracks(&self, batch_id: i64) -> Result<Vec<i64>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT id FROM tracks WHERE batch_id = ?1 AND status = 'pending' ORDER BY position")?;
            let rows = st.query_map([batch_id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// `pending → running`. Returns false when the track is no longer pending.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn claim_track(&self, id: i64) -> Result<bool> {
        self.transition(
            id,
            "UPDATE tracks SET status = 'running', attempts = attempts + 1, error = NULL,
                    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND status = 'pending'",
            params![id],
        )
    }

    /// Records the step a running track is in. Returns false when it is no
    /// longer running (cancelled meanwhile).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn set_stage(&self, id: i64, stage: Step) -> Result<bool> {
        self.with(|c| {
            Ok(c.execute(
                "UPDATE tracks SET stage = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE id = ?1 AND status = 'running'",
                params![id, stage],
            )? == 1)
        })
    }

    /// Whether the track is still running (not cancelled by someone else).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn is_running(&self, id: i64) -> Result<bool> {
        Ok(self.track(id)?.status == TrackStatus::Running)
    }

    /// `running → completed` with its measurements.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn complete_track(&self, id: i64, res: &TrackResult) -> Result<bool> {
        self.transition(
            id,
            "UPDATE tracks SET status = 'completed', output_path = ?2, duration_ms = ?3, sample_rate_hz = ?4,
                    channels = ?5, loudness_lufs = ?6, true_peak_dbtp = ?7, peaks_path = ?8, error = NULL,
                    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND status = 'running'",
            params![
                id,
                res.output_path,
                res.duration_ms,
                res.sample_rate_hz,
                res.channels,
                res.loudness_lufs,
                res.true_peak_dbtp,
                res.peaks_path
            ],
        )
    }

    /// `running → failed` with a message.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn fail_track(&self, id: i64, error: &str) -> Result<bool> {
        self.transition(
            id,
            "UPDATE tracks SET status = 'failed', error = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1 AND status = 'running'",
            params![id, error],
        )
    }

    fn transition(&self, id: i64, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Result<bool> {
        self.with(|c| {
            let tx = c.transaction()?;
            let changed = tx.execute(sql, p)? == 1;
            let batch_id: i64 =
                tx.query_row("SELECT batch_id FROM tracks WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            recompute(&tx, batch_id)?;
            tx.commit()?;
            Ok(changed)
        })
    }
}
