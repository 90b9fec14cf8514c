//! What a project keeps between batches: its cast and its lexicon entries
//! (and the global lexicon, scope `""`). Values are stored as JSON; the
//! types and their rules live in [`crate::cast`] and [`crate::lexicon`].

use rusqlite::{params, OptionalExtension};

use super::Store;
use crate::error::Result;

impl Store {
    /// The project's saved cast (JSON), if any.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn project_cast(&self, project: &str) -> Result<Option<String>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT cast_json FROM project_casts WHERE project = ?1",
                [project],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    /// Saves the project's cast (JSON); `None` forgets it.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn put_project_cast(&self, project: &str, cast_json: Option<&str>) -> Result<()> {
        self.with(|c| {
            match cast_json {
                Some(j) => c.execute(
                    "INSERT INTO project_casts (project, cast_json) VALUES (?1, ?2)
                     ON CONFLICT (project) DO UPDATE SET cast_json = excluded.cast_json",
                    params![project, j],
                )?,
                None => c.execute("DELETE FROM project_casts WHERE project = ?1", [project])?,
            };
            Ok(())
        })
    }

    /// The lexicon entries (JSON) of `scope` (`""`: global), by word.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn lexicon_entries(&self, scope: &str) -> Result<Vec<String>> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT entry_json FROM lexicon WHERE scope = ?1 ORDER BY word")?;
            let v = st
                .query_map([scope], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(v)
        })
    }

    /// Adds or replaces the entry for `word` in `scope`.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn put_lexicon_entry(&self, scope: &str, word: &str, entry_json: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO lexicon (scope, word, entry_json) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope, word) DO UPDATE SET entry_json = excluded.entry_json,
                   updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                params![scope, word, entry_json],
            )?;
            Ok(())
        })
    }

    /// Removes `word` from `scope`. Returns whether it was there.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn remove_lexicon_entry(&self, scope: &str, word: &str) -> Result<bool> {
        self.with(|c| {
            Ok(c.execute(
                "DELETE FROM lexicon WHERE scope = ?1 AND word = ?2",
                params![scope, word],
            )? == 1)
        })
    }

    /// The project's default pauses (JSON), if set.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn project_pauses(&self, project: &str) -> Result<Option<String>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT pauses_json FROM project_pauses WHERE project = ?1",
                [project],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    /// Saves the project's default pauses (JSON); `None` forgets them.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn put_project_pauses(&self, project: &str, pauses_json: Option<&str>) -> Result<()> {
        self.with(|c| {
            match pauses_json {
                Some(j) => c.execute(
                    "INSERT INTO project_pauses (project, pauses_json) VALUES (?1, ?2)
                     ON CONFLICT (project) DO UPDATE SET pauses_json = excluded.pauses_json",
                    params![project, j],
                )?,
                None => c.execute("DELETE FROM project_pauses WHERE project = ?1", [project])?,
            };
            Ok(())
        })
    }
}
