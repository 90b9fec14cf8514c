//! Batches: creation (batch and all tracks in one transaction, before any
//! work starts), listing, cancel, retry, and counter/status derivation.

use rusqlite::{params, OptionalExtension, Transaction};

use super::types::{BatchRow, BatchStatus, JobKind};
use super::Store;
use crate::audio::encode::{Delivery, EncodeOptions};
use crate::error::{Error, Result};
use crate::script::{slug, Script};

/// Everything needed to record a batch of any kind.
#[derive(Debug, Clone)]
pub struct NewBatch<'a> {
    /// Project display name.
    pub project: &'a str,
    /// What the batch makes.
    pub kind: JobKind,
    /// The engine its tracks are made with ([`super::TrackRow::engine`]);
    /// empty when none.
    pub engine: &'a str,
    /// How its files are delivered (its loudness target is in each
    /// track's recipe).
    pub delivery: &'a Delivery,
    /// Whether each sentence is checked by the speech recognizer (speech).
    pub speech_check: bool,
    /// Scripts the tracks' sections come from, stored with the batch
    /// (speech; empty for kinds that work on files or prompts).
    pub scripts: &'a [Script],
    /// Its tracks, in order.
    pub tracks: &'a [NewTrack],
}

/// Where a track's text comes from: section `section` of script `script`
/// of [`NewBatch::scripts`] (both 0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionRef {
    /// Index into [`NewBatch::scripts`].
    pub script: usize,
    /// Index into that script's sections.
    pub section: usize,
}

/// One track of a new batch.
#[derive(Debug, Clone, Default)]
pub struct NewTrack {
    /// What the user sees it as (a section's title, an input file's name…).
    pub title: String,
    /// The script section it speaks (speech).
    pub section: Option<SectionRef>,
    /// BLAKE3 of the input it works on, when it has one (must be in `inputs`).
    pub input_hash: Option<String>,
    /// BLAKE3 of its input plus its recipe (see [`Store::completed_by_source_key`]),
    /// when a finished track can stand for a new one.
    pub source_key: Option<String>,
    /// The recipe's name (variant, converter and preset…).
    pub variant: String,
    /// The recipe as JSON; the kind's runner reads it back.
    pub recipe_json: String,
    /// The collection it starts in (music takes), if any.
    pub collection: Option<String>,
}

const BATCH_COLUMNS: &str =
    "b.id, p.name, p.slug, b.status, b.engine, b.format, b.sample_rate_hz, b.bit_depth, \
     b.expected, b.completed, b.failed, b.cancelled, b.pending, b.created_at, b.updated_at, b.kind, b.encode_json, b.speech_check";

fn batch_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        project: r.get(1)?,
        project_slug: r.get(2)?,
        status: r.get(3)?,
        engine: r.get(4)?,
        format: r.get(5)?,
        sample_rate_hz: r.get(6)?,
        bit_depth: r.get(7)?,
        expected: r.get(8)?,
        completed: r.get(9)?,
        failed: r.get(10)?,
        cancelled: r.get(11)?,
        pending: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        kind: r.get(15)?,
        encode: r
            .get::<_, Option<String>>(16)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        speech_check: r.get(17)?,
    })
}

/// The stored form of a batch's encode options (NULL for the defaults).
fn encode_json(o: &EncodeOptions) -> Result<Option<String>> {
    if *o == EncodeOptions::default() {
        return Ok(None);
    }
    serde_json::to_string(o)
        .map(Some)
        .map_err(|e| Error::Config(format!("encode options: {e}")))
}

/// The id of project `name` (by its slug), created if new. Runs in the
/// batch's transaction.
fn project_id(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    let pslug = slug(name);
    tx.execute(
        "INSERT INTO projects (name, slug) VALUES (?1, ?2) ON CONFLICT(slug) DO NOTHING",
        params![name, pslug],
    )?;
    Ok(
        tx.query_row("SELECT id FROM projects WHERE slug = ?1", [&pslug], |r| {
            r.get(0)
        })?,
    )
}

/// Stores `scripts` and their sections under the project; returns each
/// script's section ids in order. Runs in the batch's transaction.
fn insert_scripts(
    tx: &Transaction<'_>,
    project_id: i64,
    scripts: &[Script],
) -> Result<Vec<Vec<i64>>> {
    let mut out = Vec::with_capacity(scripts.len());
    for script in scripts {
        let hash = blake3::hash(script.text.as_bytes()).to_hex().to_string();
        tx.execute(
            "INSERT INTO scripts (project_id, source, title, content_hash, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![project_id, script.source.to_string_lossy(), script.title, hash, script.text],
        )?;
        let script_id = tx.last_insert_rowid();
        let mut ids = Vec::with_capacity(script.sections.len());
        for (i, section) in script.sections.iter().enumerate() {
            tx.execute(
                "INSERT INTO sections (script_id, position, title, body, word_count) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![script_id, i as i64, section.title, section.text, section.word_count() as i64],
            )?;
            ids.push(tx.last_insert_rowid());
        }
        out.push(ids);
    }
    Ok(out)
}

/// Recomputes a batch's counters from its tracks and derives its status.
/// Must run in the transaction that changed the tracks.
pub(crate) fn recompute(tx: &Transaction<'_>, batch_id: i64) -> Result<BatchStatus> {
    let (expected, completed, failed, cancelled, pending, running): (i64, i64, i64, i64, i64, i64) =
        tx.query_row(
            "SELECT count(*),
                coalesce(sum(status = 'completed'), 0), coalesce(sum(status = 'failed'), 0),
                coalesce(sum(status = 'cancelled'), 0), coalesce(sum(status = 'pending'), 0),
                coalesce(sum(status = 'running'), 0)
         FROM tracks WHERE batch_id = ?1",
            [batch_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
    let current: BatchStatus = tx.query_row(
        "SELECT status FROM batches WHERE id = ?1",
        [batch_id],
        |r| r.get(0),
    )?;
    let active = pending + running;
    let status = if current == BatchStatus::Cancelled && active == 0 {
        BatchStatus::Cancelled
    } else if active > 0 {
        if running > 0 || completed + failed + cancelled > 0 || current == BatchStatus::Processing {
            BatchStatus::Processing
        } else {
            BatchStatus::Pending
        }
    } else if completed == expected {
        BatchStatus::Completed
    } else if completed == 0 && cancelled == 0 {
        BatchStatus::Failed
    } else if completed == 0 && failed == 0 {
        BatchStatus::Cancelled
    } else {
        BatchStatus::PartialSuccess
    };
    tx.execute(
        "UPDATE batches SET expected = ?2, completed = ?3, failed = ?4, cancelled = ?5, pending = ?6, status = ?7,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![batch_id, expected, completed, failed, cancelled, active, status],
    )?;
    Ok(status)
}

impl Store {
    /// Records a batch of any kind, its project, its scripts and their
    /// sections, and every track, in one transaction, before any work
    /// starts. Returns the batch id. Nothing is written if anything fails.
    ///
    /// # Errors
    /// [`Error::Config`] for a batch with no tracks, or a track whose
    /// section is not among the scripts; [`Error::Store`].
    pub fn create_batch(&self, nb: &NewBatch<'_>) -> Result<i64> {
        if nb.tracks.is_empty() {
            return Err(Error::Config(
                "nothing to generate: the batch has no tracks".into(),
            ));
        }
        self.with(|c| {
            let tx = c.transaction()?;
            let project_id = project_id(&tx, nb.project)?;
            tx.execute(
                "INSERT INTO batches (project_id, kind, engine, format, sample_rate_hz, bit_depth, encode_json, speech_check)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    project_id,
                    nb.kind,
                    nb.engine,
                    nb.delivery.format.extension(),
                    nb.delivery.sample_rate_hz,
                    nb.delivery.bit_depth,
                    encode_json(&nb.delivery.encode)?,
                    nb.speech_check
                ],
            )?;
            let batch_id = tx.last_insert_rowid();
            let sections = insert_scripts(&tx, project_id, nb.scripts)?;
            for (position, t) in nb.tracks.iter().enumerate() {
                let section_id = match t.section {
                    None => None,
                    Some(r) => Some(
                        *sections
                            .get(r.script)
                            .and_then(|s| s.get(r.section))
                            .ok_or_else(|| {
                                Error::Config(format!(
                                    "track \"{}\": no section {} in script {}",
                                    t.title, r.section, r.script
                                ))
                            })?,
                    ),
                };
                tx.execute(
                    "INSERT INTO tracks (batch_id, section_id, position, title, input_hash, source_key, variant, recipe_json, engine, collection)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        batch_id,
                        section_id,
                        position as i64,
                        t.title,
                        t.input_hash,
                        t.source_key,
                        t.variant,
                        t.recipe_json,
                        nb.engine,
                        t.collection
                    ],
                )?;
            }
            recompute(&tx, batch_id)?;
            tx.commit()?;
            Ok(batch_id)
        })
    }

    /// The newest completed track made from `source_key` whose output file
    /// still exists: the same input with the same settings, done before.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn completed_by_source_key(&self, source_key: &str) -> Result<Option<super::TrackRow>> {
        let ids: Vec<i64> = self.with(|c| {
            let mut st = c.prepare(
                "SELECT id FROM tracks WHERE source_key = ?1 AND status = 'completed' ORDER BY id DESC",
            )?;
            let v = st
                .query_map([source_key], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(v)
        })?;
        for id in ids {
            let t = self.track(id)?;
            if t.output_path
                .as_deref()
                .is_some_and(|p| std::path::Path::new(p).is_file())
            {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// One batch.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub fn batch(&self, id: i64) -> Result<BatchRow> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {BATCH_COLUMNS} FROM batches b JOIN projects p ON p.id = b.project_id WHERE b.id = ?1"),
                [id],
                batch_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no batch {id}")))
        })
    }

    /// Every batch, newest first.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn batches(&self) -> Result<Vec<BatchRow>> {
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {BATCH_COLUMNS} FROM batches b JOIN projects p ON p.id = b.project_id ORDER BY b.id DESC"
            ))?;
            let rows = st.query_map([], batch_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Ids of batches with unfinished tracks (not cancelled), oldest first.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn unfinished_batches(&self) -> Result<Vec<i64>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id FROM batches WHERE status IN ('pending', 'processing') ORDER BY id",
            )?;
            let rows = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Cancels a batch: unfinished tracks become cancelled. Completed tracks stay.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub fn cancel_batch(&self, id: i64) -> Result<BatchStatus> {
        self.batch(id)?;
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE tracks SET status = 'cancelled', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE batch_id = ?1 AND status IN ('pending', 'running')",
                [id],
            )?;
            tx.execute("UPDATE batches SET status = 'cancelled' WHERE id = ?1 AND status IN ('pending', 'processing')", [id])?;
            let s = recompute(&tx, id)?;
            tx.commit()?;
            Ok(s)
        })
    }

    /// Puts the failed (and cancelled) tracks of a batch back to pending so a
    /// run finishes them, and the completed ones that gave up on sub-units
    /// (scenes replaced by silence); other completed tracks are untouched.
    /// Returns how many.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub fn retry_batch(&self, id: i64) -> Result<usize> {
        self.batch(id)?;
        self.with(|c| {
            let tx = c.transaction()?;
            // A completed track that gave up on some of its sub-units (a
            // scene replaced by silence) redoes the step they belong to:
            // those units run again and every later step after them.
            tx.execute(
                "DELETE FROM steps WHERE (track_id, name) IN (
                    SELECT u.track_id, u.stage FROM units u JOIN tracks t ON t.id = u.track_id
                    WHERE t.batch_id = ?1 AND t.status = 'completed' AND u.status = 'failed')",
                [id],
            )?;
            let n = tx.execute(
                "UPDATE tracks SET status = 'pending', error = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE batch_id = ?1 AND (status IN ('failed', 'cancelled')
                    OR (status = 'completed' AND EXISTS (
                        SELECT 1 FROM units u WHERE u.track_id = tracks.id AND u.status = 'failed')))",
                [id],
            )?;
            // Failed steps of those tracks run again; finished steps stay memoized.
            tx.execute(
                "DELETE FROM steps WHERE status = 'failed' AND track_id IN (SELECT id FROM tracks WHERE batch_id = ?1)",
                [id],
            )?;
            // Within them, only the failed sub-units run again.
            tx.execute(
                "UPDATE units SET status = 'pending', error = NULL
                 WHERE status IN ('failed', 'running') AND track_id IN (SELECT id FROM tracks WHERE batch_id = ?1)",
                [id],
            )?;
            if n > 0 {
                tx.execute("UPDATE batches SET status = 'processing' WHERE id = ?1", [id])?;
            }
            recompute(&tx, id)?;
            tx.commit()?;
            Ok(n)
        })
    }

    /// Gives track `track_id` a new recipe and puts it back to pending with
    /// its steps forgotten (its sub-units stay: a re-plan keeps those whose
    /// key still matches), and its batch back to processing. Used to redo
    /// one part of a finished track (regenerate one scene of a score).
    /// Returns false when the track is running.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id.
    pub fn reopen_track(&self, track_id: i64, recipe_json: &str) -> Result<bool> {
        let t = self.track(track_id)?;
        self.with(|c| {
            let tx = c.transaction()?;
            let n = tx.execute(
                "UPDATE tracks SET status = 'pending', error = NULL, recipe_json = ?2,
                        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE id = ?1 AND status != 'running'",
                params![track_id, recipe_json],
            )?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute("DELETE FROM steps WHERE track_id = ?1", [track_id])?;
            tx.execute(
                "UPDATE batches SET status = 'processing' WHERE id = ?1",
                [t.batch_id],
            )?;
            recompute(&tx, t.batch_id)?;
            tx.commit()?;
            Ok(true)
        })
    }

    /// After a crash: tracks left running go back to pending (their finished
    /// steps stay done), and steps left running are forgotten. Call only while
    /// holding the batch's lock. Returns how many tracks were recovered.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn recover_batch(&self, id: i64) -> Result<usize> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM steps WHERE status = 'running' AND track_id IN (SELECT id FROM tracks WHERE batch_id = ?1)",
                [id],
            )?;
            tx.execute(
                "UPDATE units SET status = 'pending'
                 WHERE status = 'running' AND track_id IN (SELECT id FROM tracks WHERE batch_id = ?1)",
                [id],
            )?;
            let n = tx.execute(
                "UPDATE tracks SET status = 'pending' WHERE batch_id = ?1 AND status = 'running'",
                [id],
            )?;
            recompute(&tx, id)?;
            tx.commit()?;
            Ok(n)
        })
    }
}
