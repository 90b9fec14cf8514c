//! Takes (`takes` table, version 10): every take of every sentence of a
//! speech track, with the clip cache key of its audio. Sentences and takes
//! are 0-based here (the CLI and the app count from 1). What a track uses
//! is its recipe's business; this only remembers what exists.

use rusqlite::params;

use super::Store;
use crate::error::Result;

/// One take of one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeRow {
    /// Sentence (utterance) index, 0-based.
    pub sentence: u32,
    /// Take number, 0-based (0: the first synthesis).
    pub take: u32,
    /// Its clip in the clip cache.
    pub clip_key: String,
    /// The words it says (see [`crate::kinds::speech::lines::words`]).
    pub words: String,
    /// Marked to keep: never pruned.
    pub favourite: bool,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
}

impl Store {
    /// Remembers take `take` of sentence `sentence` of track `track_id`,
    /// its clip and the `words` it says (a take made again with other
    /// words, after a lexicon change, takes the new clip and keeps its
    /// favourite mark).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn record_take(
        &self,
        track_id: i64,
        sentence: u32,
        take: u32,
        clip_key: &str,
        words: &str,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO takes (track_id, sentence, take, clip_key, words) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (track_id, sentence, take)
                 DO UPDATE SET clip_key = excluded.clip_key, words = excluded.words",
                params![track_id, sentence, take, clip_key, words],
            )?;
            Ok(())
        })
    }

    /// Every take of track `track_id`, by sentence then take.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn takes(&self, track_id: i64) -> Result<Vec<TakeRow>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT sentence, take, clip_key, favourite, created_at, words FROM takes
                 WHERE track_id = ?1 ORDER BY sentence, take",
            )?;
            let rows = st
                .query_map([track_id], |r| {
                    Ok(TakeRow {
                        sentence: r.get(0)?,
                        take: r.get(1)?,
                        clip_key: r.get(2)?,
                        favourite: r.get::<_, i64>(3)? != 0,
                        created_at: r.get(4)?,
                        words: r.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// The tracks that have takes.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn tracks_with_takes(&self) -> Result<Vec<i64>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT DISTINCT track_id FROM takes ORDER BY track_id")?;
            let rows = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Marks or unmarks a take as a favourite. Returns false when there is
    /// no such take.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn set_take_favourite(
        &self,
        track_id: i64,
        sentence: u32,
        take: u32,
        favourite: bool,
    ) -> Result<bool> {
        self.with(|c| {
            Ok(c.execute(
                "UPDATE takes SET favourite = ?4 WHERE track_id = ?1 AND sentence = ?2 AND take = ?3",
                params![track_id, sentence, take, i64::from(favourite)],
            )? > 0)
        })
    }

    /// Forgets the takes of one sentence beyond the `keep` newest, except
    /// favourites and `in_use` (the take the track uses). Returns how many
    /// were forgotten (their clips stay until [`Store::unreferenced_clips`]
    /// finds them).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn prune_takes(
        &self,
        track_id: i64,
        sentence: u32,
        keep: u32,
        in_use: u32,
    ) -> Result<usize> {
        self.with(|c| {
            Ok(c.execute(
                "DELETE FROM takes WHERE track_id = ?1 AND sentence = ?2 AND favourite = 0 AND take <> ?4
                   AND take NOT IN (SELECT take FROM takes WHERE track_id = ?1 AND sentence = ?2
                                    ORDER BY take DESC LIMIT ?3)",
                params![track_id, sentence, keep, in_use],
            )?)
        })
    }

    /// The cached clips nothing refers to, `(key, path)`: what `intone gc`
    /// may delete. Kept: every take's clip, every sentence unit's, and every
    /// clip a synthesize or retake step recorded (so a track made before
    /// takes or units were recorded keeps its clips, and best-of-N's choice
    /// is kept before it reaches the recipe).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn unreferenced_clips(&self) -> Result<Vec<(String, String)>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT key, path FROM clips
                 WHERE key NOT IN (SELECT clip_key FROM takes)
                   AND key NOT IN (SELECT key FROM units WHERE stage = 'synthesize' OR (stage = 'retake' AND status <> 'done'))
                   AND key NOT IN (
                       SELECT json_extract(j.value, '$.key')
                       FROM steps s, json_each(s.output_json, '$.clips') j
                       WHERE s.name IN ('synthesize', 'retake') AND json_valid(s.output_json))",
            )?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// How many tracks are being made now (by this or another process, or
    /// left running by one that died and was not resumed yet).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn running_tracks(&self) -> Result<i64> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM tracks WHERE status = 'running'",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// Forgets cached clips by key (their files are the caller's to delete,
    /// after this).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn delete_clips(&self, keys: &[String]) -> Result<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            for k in keys {
                tx.execute("DELETE FROM clips WHERE key = ?1", [k])?;
            }
            tx.commit()?;
            Ok(())
        })
    }
}
