//! Watched folders: a folder and the conversion request its files get, kept
//! so that watching survives restarts.

use rusqlite::params;

use super::Store;
use crate::error::Result;

impl Store {
    /// Adds `path` (or replaces its request).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn put_watch_folder(&self, path: &str, request_json: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO watch_folders (path, request_json) VALUES (?1, ?2)
                 ON CONFLICT (path) DO UPDATE SET request_json = excluded.request_json",
                params![path, request_json],
            )?;
            Ok(())
        })
    }

    /// Stops watching `path`. Returns whether it was watched.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn remove_watch_folder(&self, path: &str) -> Result<bool> {
        self.with(|c| Ok(c.execute("DELETE FROM watch_folders WHERE path = ?1", [path])? == 1))
    }

    /// Every watched folder with its request (JSON), oldest first.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn watch_folders(&self) -> Result<Vec<(String, String)>> {
        self.with(|c| {
            let mut st =
                c.prepare("SELECT path, request_json FROM watch_folders ORDER BY added_at, path")?;
            let v = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
    }
}
