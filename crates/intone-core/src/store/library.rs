//! The Library: every track of every batch of every kind, filtered by kind,
//! status, variant (or converter), voice and source (script or input file), and deleting tracks (rows first, in one transaction with
//! their batches' counters; files are the caller's business).

use rusqlite::params_from_iter;
use serde::{Deserialize, Serialize};

use super::batches::recompute;
use super::music::{facts_from_row, parse_key, MusicFacts, FACT_COLUMNS};
use super::tracks::TRACK_COLUMN_COUNT;
use super::tracks::{track_from_row, TRACK_COLUMNS};
use super::types::{JobKind, TrackRow, TrackStatus};
use super::Store;
use crate::error::{Error, Result};

/// Which tracks the Library shows; `None` fields match everything.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LibraryFilter {
    /// Only tracks in this state.
    pub status: Option<TrackStatus>,
    /// Only this variant (`voice`, `sleep`, …).
    pub variant: Option<String>,
    /// Only tracks made with this engine ([`super::TrackRow::engine`]:
    /// `piper:en_US-joe-medium`, `composer`, …).
    pub engine: Option<String>,
    /// Only tracks from this source: a script's title or an input file's name.
    pub source: Option<String>,
    /// Only tracks of batches of this kind.
    pub kind: Option<JobKind>,
    /// Only tracks in this collection.
    pub collection: Option<String>,
    /// Only music takes at this tempo or faster, BPM.
    pub tempo_min: Option<f32>,
    /// Only music takes at this tempo or slower, BPM.
    pub tempo_max: Option<f32>,
    /// Only music takes in this key ("D minor", "F# major").
    pub key: Option<String>,
    /// Only loops (`true`) or only takes that are not (`false`).
    pub looped: Option<bool>,
    /// The order of the rows (default: newest batch first).
    pub sort: Option<LibrarySort>,
    /// At most this many rows (`None`: all).
    pub limit: Option<u32>,
    /// Skip this many rows first (paging).
    pub offset: Option<u32>,
}

/// How Library rows are ordered. The music orders put takes without the
/// fact last, then go newest first.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LibrarySort {
    /// Newest batch first, then in batch order.
    #[default]
    Newest,
    /// Slowest tempo first.
    Tempo,
    /// By key: tonic from C, major before minor.
    Key,
    /// Loudest (integrated LUFS) first.
    Loudness,
    /// Longest first.
    Duration,
}

impl LibrarySort {
    /// The `ORDER BY` terms.
    fn order_by(self) -> &'static str {
        match self {
            Self::Newest => "b.id DESC, t.position",
            Self::Tempo => "mf.tempo_bpm IS NULL, mf.tempo_bpm, b.id DESC, t.position",
            Self::Key => "mf.tonic IS NULL, mf.tonic, mf.mode, b.id DESC, t.position",
            Self::Loudness => {
                "t.loudness_lufs IS NULL, t.loudness_lufs DESC, b.id DESC, t.position"
            }
            Self::Duration => "t.duration_ms IS NULL, t.duration_ms DESC, b.id DESC, t.position",
        }
    }
}

/// One Library row: the track and where it came from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryItem {
    /// The track.
    pub track: TrackRow,
    /// Where it came from: the script's title (speech), the input file's
    /// name (conversion).
    pub source: String,
    /// The kind of its batch.
    pub kind: JobKind,
    /// Project name.
    pub project: String,
    /// When the batch was created (ISO 8601, UTC).
    pub created_at: String,
    /// Sentences the `check` step flagged (speech tracks whose batch checks
    /// its sentences and whose check has run); `None` when not checked.
    pub flagged: Option<u32>,
    /// Tempo, key and loop of a music take whose `analyze` step has run.
    pub music: Option<MusicFacts>,
}

/// The values present in the Library, for the filter pickers.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LibraryFacets {
    /// Variant names, sorted.
    pub variants: Vec<String>,
    /// Engines tracks were made with, sorted.
    pub engines: Vec<String>,
    /// Sources (script titles, input file names), sorted.
    pub sources: Vec<String>,
    /// Collection names, sorted.
    pub collections: Vec<String>,
}

/// A track's source: its script's title, else its input's name, else its title.
const SOURCE: &str = "coalesce(sc.title, i.name, t.title)";
/// The joins [`SOURCE`] reads.
const SOURCE_JOINS: &str = "LEFT JOIN sections s ON s.id = t.section_id
                 LEFT JOIN scripts sc ON sc.id = s.script_id
                 LEFT JOIN inputs i ON i.hash = t.input_hash";

/// The tables a Library query reads.
const FROM: &str = "FROM tracks t
                 LEFT JOIN sections s ON s.id = t.section_id
                 LEFT JOIN scripts sc ON sc.id = s.script_id
                 LEFT JOIN inputs i ON i.hash = t.input_hash
                 JOIN batches b ON b.id = t.batch_id
                 JOIN projects p ON p.id = b.project_id
                 LEFT JOIN music_facts mf ON mf.track_id = t.id";

/// The `WHERE` clause of `filter` and its arguments (`?1`, `?2`, …).
fn where_clause(filter: &LibraryFilter) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut add = |clause: &str, v: Option<String>| {
        if let Some(v) = v {
            args.push(v);
            clauses.push(format!("{clause} = ?{}", args.len()));
        }
    };
    add("t.status", filter.status.map(|s| s.as_str().to_string()));
    add("t.variant", filter.variant.clone());
    add("t.engine", filter.engine.clone());
    add(SOURCE, filter.source.clone());
    add("b.kind", filter.kind.map(|k| k.as_str().to_string()));
    add("t.collection", filter.collection.clone());
    let mut cmp = |clause: &str, v: Option<String>| {
        if let Some(v) = v {
            args.push(v);
            clauses.push(clause.replace('?', &format!("?{}", args.len())));
        }
    };
    cmp(
        "mf.tempo_bpm >= CAST(? AS REAL)",
        filter.tempo_min.map(|t| t.to_string()),
    );
    cmp(
        "mf.tempo_bpm <= CAST(? AS REAL)",
        filter.tempo_max.map(|t| t.to_string()),
    );
    match filter.key.as_deref().map(|k| (k, parse_key(k))) {
        Some((_, Some((tonic, mode)))) => {
            cmp("mf.tonic = CAST(? AS INTEGER)", Some(tonic.to_string()));
            cmp("mf.mode = ?", Some(mode.name().to_string()));
        }
        // A key nobody writes matches nothing.
        Some((_, None)) => clauses.push("0".into()),
        None => {}
    }
    match filter.looped {
        Some(true) => clauses.push("mf.loop_frames IS NOT NULL".into()),
        Some(false) => clauses.push("mf.loop_frames IS NULL".into()),
        None => {}
    }
    let wher = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (wher, args)
}

/// The flagged sentences of track `t` from its `check` step's report
/// (`CheckReport` as JSON), NULL when the step has not checked it.
const FLAGGED: &str = "(SELECT (SELECT count(*) FROM json_each(s.output_json, '$.sentences') j
                         WHERE json_extract(j.value, '$.flagged') = 1)
                     FROM steps s
                     WHERE s.track_id = t.id AND s.name = 'check' AND s.status = 'done'
                       AND json_extract(s.output_json, '$.checked') = 1)";

impl Store {
    /// Tracks matching `filter`, newest batch first, then in batch order.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn library(&self, filter: &LibraryFilter) -> Result<Vec<LibraryItem>> {
        let (wher, args) = where_clause(filter);
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {TRACK_COLUMNS}, {SOURCE}, p.name, b.created_at, b.kind, {FLAGGED},
                        {FACT_COLUMNS}
                 {FROM}
                 {wher}
                 ORDER BY {}
                 LIMIT {} OFFSET {}",
                filter.sort.unwrap_or_default().order_by(),
                filter.limit.map_or(-1, i64::from),
                filter.offset.unwrap_or(0)
            ))?;
            let rows = st
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok(LibraryItem {
                        track: track_from_row(r)?,
                        source: r.get(TRACK_COLUMN_COUNT)?,
                        project: r.get(TRACK_COLUMN_COUNT + 1)?,
                        created_at: r.get(TRACK_COLUMN_COUNT + 2)?,
                        kind: r.get(TRACK_COLUMN_COUNT + 3)?,
                        flagged: r.get(TRACK_COLUMN_COUNT + 4)?,
                        music: facts_from_row(r, TRACK_COLUMN_COUNT + 5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Distinct variants, voices and script titles of all tracks.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn library_facets(&self) -> Result<LibraryFacets> {
        self.with(|c| {
            let list = |sql: &str| -> Result<Vec<String>> {
                let mut st = c.prepare(sql)?;
                let v = st
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(v)
            };
            Ok(LibraryFacets {
                variants: list("SELECT DISTINCT variant FROM tracks ORDER BY 1")?,
                engines: list("SELECT DISTINCT engine FROM tracks ORDER BY 1")?,
                sources: list(&format!(
                    "SELECT DISTINCT {SOURCE} FROM tracks t {SOURCE_JOINS} ORDER BY 1"
                ))?,
                collections: list(
                    "SELECT DISTINCT collection FROM tracks WHERE collection IS NOT NULL ORDER BY 1",
                )?,
            })
        })
    }

    /// How many tracks match `filter` (ignoring its limit and offset).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn library_count(&self, filter: &LibraryFilter) -> Result<u64> {
        let all = LibraryFilter {
            limit: None,
            offset: None,
            ..filter.clone()
        };
        let (wher, args) = where_clause(&all);
        self.with(|c| {
            let n: i64 = c.query_row(
                &format!("SELECT count(*) {FROM} {wher}"),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            Ok(n.max(0) as u64)
        })
    }

    /// Puts tracks in `collection` (`None` takes them out of any).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id (nothing changes then).
    pub fn set_collection(&self, ids: &[i64], collection: Option<&str>) -> Result<()> {
        let name = collection.map(str::trim).filter(|c| !c.is_empty());
        self.with(|c| {
            let tx = c.transaction()?;
            for id in ids {
                let n = tx.execute(
                    "UPDATE tracks SET collection = ?1 WHERE id = ?2",
                    rusqlite::params![name, id],
                )?;
                if n == 0 {
                    return Err(Error::NotFound(format!("no track {id}")));
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Deletes tracks (and their steps) in one transaction, recomputing each
    /// affected batch's counters; a batch left with no tracks is deleted too.
    /// Returns the deleted rows so the caller can remove their files.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id and [`Error::Config`] for a
    /// running track; nothing is deleted then.
    pub fn delete_tracks(&self, ids: &[i64]) -> Result<Vec<TrackRow>> {
        let rows = ids
            .iter()
            .map(|&id| self.track(id))
            .collect::<Result<Vec<_>>>()?;
        if let Some(t) = rows.iter().find(|t| t.status == TrackStatus::Running) {
            return Err(Error::Config(format!(
                "track {} ({} · {}) is being generated; cancel its batch before deleting it",
                t.id, t.title, t.variant
            )));
        }
        self.with(|c| {
            let tx = c.transaction()?;
            let mut batches: Vec<i64> = Vec::new();
            for t in &rows {
                // Guarded: a track that started running since it was read stays.
                let n = tx.execute(
                    "DELETE FROM tracks WHERE id = ?1 AND status <> 'running'",
                    [t.id],
                )?;
                if n == 0 {
                    return Err(Error::Config(format!(
                        "track {} started running; cancel its batch before deleting it",
                        t.id
                    )));
                }
                if !batches.contains(&t.batch_id) {
                    batches.push(t.batch_id);
                }
            }
            for b in batches {
                let left: i64 = tx.query_row(
                    "SELECT count(*) FROM tracks WHERE batch_id = ?1",
                    [b],
                    |r| r.get(0),
                )?;
                if left == 0 {
                    tx.execute("DELETE FROM batches WHERE id = ?1", [b])?;
                } else {
                    recompute(&tx, b)?;
                }
            }
            tx.commit()?;
            Ok(rows)
        })
    }
}
