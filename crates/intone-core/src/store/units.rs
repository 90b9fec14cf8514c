//! Durable sub-units of a step (the chunks of a conversion): planned once by
//! an earlier step, then each `pending → running → done | failed` on its own,
//! so a crash in chunk 37 redoes chunk 37 only and a retry reruns only the
//! failed ones. A unit is identified by (track, step, index) **and** its
//! key (a hash of what it is made from): a re-plan with other bounds never
//! reuses a stale unit.

use rusqlite::{params, OptionalExtension};

use super::types::Step;
use super::Store;
use crate::error::Result;

/// Where a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitStatus {
    /// Planned, not started (or put back after a crash or for a retry).
    Pending,
    /// A worker is on it.
    Running,
    /// Its output is committed.
    Done,
    /// Gave up; see the error.
    Failed,
}

impl UnitStatus {
    fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// One sub-unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    /// 0-based index within its step.
    pub idx: i64,
    /// BLAKE3 of what it is made from.
    pub key: String,
    /// Status.
    pub status: UnitStatus,
    /// Times a worker started it (across restarts).
    pub attempts: i64,
    /// What the planning step decided (JSON).
    pub plan_json: String,
    /// Memoized output (JSON) when done.
    pub output_json: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

impl Store {
    /// Replaces the units of `track_id`/`step` with `plan` (key, plan JSON)
    /// unless they already match it key for key; units that match keep their
    /// status and output. Returns the units as stored.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn plan_units(
        &self,
        track_id: i64,
        stage: Step,
        plan: &[(String, String)],
    ) -> Result<Vec<UnitRow>> {
        self.with(|c| {
            let tx = c.transaction()?;
            for (idx, (key, plan_json)) in plan.iter().enumerate() {
                tx.execute(
                    "INSERT INTO units (track_id, stage, idx, key, plan_json) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (track_id, stage, idx) DO UPDATE SET
                        status = CASE WHEN units.key = excluded.key THEN units.status ELSE 'pending' END,
                        output_json = CASE WHEN units.key = excluded.key THEN units.output_json ELSE NULL END,
                        error = CASE WHEN units.key = excluded.key THEN units.error ELSE NULL END,
                        attempts = CASE WHEN units.key = excluded.key THEN units.attempts ELSE 0 END,
                        key = excluded.key, plan_json = excluded.plan_json",
                    params![track_id, stage, idx as i64, key, plan_json],
                )?;
            }
            tx.execute(
                "DELETE FROM units WHERE track_id = ?1 AND stage = ?2 AND idx >= ?3",
                params![track_id, stage, plan.len() as i64],
            )?;
            tx.commit()?;
            Ok(())
        })?;
        self.units(track_id, stage)
    }

    /// The units of `track_id`/`step`, in order.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn units(&self, track_id: i64, stage: Step) -> Result<Vec<UnitRow>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT idx, key, status, attempts, plan_json, output_json, error FROM units
                 WHERE track_id = ?1 AND stage = ?2 ORDER BY idx",
            )?;
            let v = st
                .query_map(params![track_id, stage], |r| {
                    Ok(UnitRow {
                        idx: r.get(0)?,
                        key: r.get(1)?,
                        status: UnitStatus::parse(&r.get::<_, String>(2)?),
                        attempts: r.get(3)?,
                        plan_json: r.get(4)?,
                        output_json: r.get(5)?,
                        error: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
    }

    /// `pending → running`, counting the attempt. Returns the attempts so far
    /// (this one included), or `None` when the unit is not pending.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn begin_unit(&self, track_id: i64, stage: Step, idx: i64) -> Result<Option<i64>> {
        self.with(|c| {
            let n = c.execute(
                "UPDATE units SET status = 'running', attempts = attempts + 1, error = NULL,
                        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE track_id = ?1 AND stage = ?2 AND idx = ?3 AND status = 'pending'",
                params![track_id, stage, idx],
            )?;
            if n == 0 {
                return Ok(None);
            }
            Ok(c.query_row(
                "SELECT attempts FROM units WHERE track_id = ?1 AND stage = ?2 AND idx = ?3",
                params![track_id, stage, idx],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    /// `running → done` with its memoized output. Call only after its files
    /// are committed.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn finish_unit(
        &self,
        track_id: i64,
        stage: Step,
        idx: i64,
        output_json: &str,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE units SET status = 'done', output_json = ?4, error = NULL,
                        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE track_id = ?1 AND stage = ?2 AND idx = ?3",
                params![track_id, stage, idx, output_json],
            )?;
            Ok(())
        })
    }

    /// `running → failed` with a message (a retry puts it back to pending).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn fail_unit(&self, track_id: i64, stage: Step, idx: i64, error: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE units SET status = 'failed', error = ?4,
                        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE track_id = ?1 AND stage = ?2 AND idx = ?3",
                params![track_id, stage, idx, error],
            )?;
            Ok(())
        })
    }

    /// A done unit whose output file went missing: back to pending.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn reset_unit(&self, track_id: i64, stage: Step, idx: i64) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE units SET status = 'pending', output_json = NULL
                 WHERE track_id = ?1 AND stage = ?2 AND idx = ?3",
                params![track_id, stage, idx],
            )?;
            Ok(())
        })
    }
}
