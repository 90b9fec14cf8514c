//! The studio's remembered settings (`settings` table, version 10): a name
//! and a JSON value each, read with a default when never set.

use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// The setting `name`, or `default` when it was never set (or no longer
    /// parses as a `T`).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn setting<T: DeserializeOwned>(&self, name: &str, default: T) -> Result<T> {
        let json: Option<String> = self.with(|c| {
            Ok(c.query_row(
                "SELECT value_json FROM settings WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        Ok(json
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or(default))
    }

    /// Remembers the setting `name`.
    ///
    /// # Errors
    /// [`Error::Store`]; [`Error::Config`] when `value` is not JSON.
    pub fn set_setting<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let json = serde_json::to_string(value).map_err(|e| Error::Config(e.to_string()))?;
        self.with(|c| {
            c.execute(
                "INSERT INTO settings (name, value_json) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value_json = excluded.value_json",
                params![name, json],
            )?;
            Ok(())
        })
    }
}
