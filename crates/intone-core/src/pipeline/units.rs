//! The durable sub-unit loop every step made of pieces shares (a
//! conversion's chunks, a score's scenes, a speech track's sentences): plan
//! the units once, skip the
//! ones already done (their memoized output still on disk), and run each
//! other one as a counted attempt: `pending → running → done | failed`,
//! refused past its attempt cap, so a unit that crashes the process cannot
//! loop forever. A SIGKILL mid-unit leaves it `running`; recovery puts it
//! back to `pending` and the next run redoes that unit only.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::cx::TrackCx;
use super::events::UnitProgress;
use crate::error::{Error, Result};
use crate::store::{Step, Store, TrackStatus, UnitRow, UnitStatus};

/// What a unit holds from earlier runs.
#[derive(Debug)]
pub(crate) enum Prior<O> {
    /// Done, with its memoized output (whose files still exist).
    Done(O),
    /// Given up on in an earlier run (a retry of the batch puts it back
    /// to pending).
    Failed,
    /// Still to do.
    Todo,
}

/// The units of one step of one track.
pub(crate) struct Units<'c, 'a> {
    store: &'c Store,
    track_id: i64,
    /// Where unit counts are published (none outside a running track).
    cx: Option<&'c TrackCx<'a>>,
    step: Step,
    rows: Vec<UnitRow>,
    max_attempts: i64,
    worker: &'static str,
}

impl<'a> TrackCx<'a> {
    /// Plans `step`'s units (`(key, plan JSON)` each, in order: units whose
    /// key is unchanged keep their status and output) and returns them.
    /// A unit started more than `max_attempts` times is failed for good,
    /// blaming `worker` (`the converter`, `the engine`).
    ///
    /// # Errors
    /// Store errors.
    pub fn units(
        &self,
        step: Step,
        plan: &[(String, String)],
        max_attempts: i64,
        worker: &'static str,
    ) -> Result<Units<'_, 'a>> {
        let mut units = Units::plan(
            &self.p.store,
            self.track.id,
            step,
            plan,
            max_attempts,
            worker,
        )?;
        units.cx = Some(self);
        Ok(units)
    }
}

impl<'c, 'a> Units<'c, 'a> {
    /// Plans `step`'s units of track `track_id` straight on the store, with
    /// no progress published (what [`TrackCx::units`] does for a running
    /// track, minus the events).
    ///
    /// # Errors
    /// Store errors.
    pub fn plan(
        store: &'c Store,
        track_id: i64,
        step: Step,
        plan: &[(String, String)],
        max_attempts: i64,
        worker: &'static str,
    ) -> Result<Self> {
        let rows = store.plan_units(track_id, step, plan)?;
        Ok(Self {
            store,
            track_id,
            cx: None,
            step,
            rows,
            max_attempts,
            worker,
        })
    }

    /// What unit `idx` holds from earlier runs. A done unit whose output no
    /// longer parses or fails `valid` (its file is gone) is put back to
    /// pending and is [`Prior::Todo`].
    ///
    /// # Errors
    /// Store errors.
    pub fn prior<O: DeserializeOwned>(
        &self,
        idx: usize,
        valid: impl Fn(&O) -> bool,
    ) -> Result<Prior<O>> {
        let Some(u) = self.rows.get(idx) else {
            return Ok(Prior::Todo);
        };
        match u.status {
            UnitStatus::Done => {
                let out = u
                    .output_json
                    .as_deref()
                    .and_then(|j| serde_json::from_str::<O>(j).ok())
                    .filter(|o| valid(o));
                match out {
                    Some(o) => Ok(Prior::Done(o)),
                    None => {
                        self.reset(idx)?;
                        Ok(Prior::Todo)
                    }
                }
            }
            UnitStatus::Failed => Ok(Prior::Failed),
            UnitStatus::Pending | UnitStatus::Running => Ok(Prior::Todo),
        }
    }

    /// The key unit `idx` was planned with.
    pub fn key(&self, idx: usize) -> Option<&str> {
        self.rows.get(idx).map(|u| u.key.as_str())
    }

    /// Puts unit `idx` back to pending (a failed unit tried again).
    ///
    /// # Errors
    /// Store errors.
    pub fn reset(&self, idx: usize) -> Result<()> {
        self.store.reset_unit(self.track_id, self.step, idx as i64)
    }

    /// Runs unit `idx` once as a counted attempt: `work` makes and commits
    /// its files and returns its output, which is memoized with the unit.
    /// On an error (the attempt cap reached included), `context` turns it
    /// into the error recorded on the unit and returned; store errors and
    /// cancellation are returned as they are and leave the unit running
    /// (recovery puts it back to pending).
    ///
    /// # Errors
    /// [`Error::Config`] when the unit is not pending (another worker has
    /// it: nothing is recorded); the attempt cap; `work`'s error; store
    /// errors.
    pub fn attempt<O: Serialize>(
        &self,
        idx: usize,
        work: impl FnOnce() -> Result<O>,
        context: impl FnOnce(Error) -> Error,
    ) -> Result<O> {
        let store = self.store;
        let (tid, i) = (self.track_id, idx as i64);
        let Some(attempts) = store.begin_unit(tid, self.step, i)? else {
            return Err(Error::Config(format!(
                "{} unit {} is not pending (another worker has it)",
                self.step,
                idx + 1
            )));
        };
        let result = if attempts > self.max_attempts {
            Err(Error::Config(format!(
                "gave up after {} attempts ({} kept failing or crashing on it)",
                self.max_attempts, self.worker
            )))
        } else {
            work()
        };
        match result {
            Ok(out) => {
                let json = serde_json::to_string(&out).map_err(|e| Error::Config(e.to_string()))?;
                store.finish_unit(tid, self.step, i, &json)?;
                Ok(out)
            }
            // Not the unit's fault: it stays running, and recovery puts it back.
            Err(e @ (Error::Store(_) | Error::Cancelled)) => Err(e),
            Err(e) => {
                let e = context(e);
                store.fail_unit(tid, self.step, i, &e.to_string())?;
                Err(e)
            }
        }
    }

    /// Publishes `done` of the units finished (nothing outside a running
    /// track).
    pub fn emit(&self, done: usize) {
        let Some(cx) = self.cx else { return };
        let total = self.rows.len();
        cx.emit_units(
            TrackStatus::Running,
            Some(self.step),
            Some(done as f32 / total.max(1) as f32),
            Some(UnitProgress {
                done: done as u32,
                total: total as u32,
            }),
            None,
        );
    }
}
