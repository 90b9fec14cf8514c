//! Audio inputs dropped into the studio (for the conversion pipeline): one
//! row per distinct file content, keyed by its BLAKE3 hash.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::Result;

/// One stored input file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRow {
    /// BLAKE3 hash of the file's bytes (hex).
    pub hash: String,
    /// The file name it was dropped with.
    pub name: String,
    /// Where the copy lives (`$INTONE_HOME/inputs/<hash>.<ext>`).
    pub path: String,
    /// Size in bytes.
    pub bytes: i64,
    /// Native sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Channels.
    pub channels: u16,
    /// Length when the container states it, ms.
    pub duration_ms: Option<i64>,
    /// When it was added (ISO 8601, UTC).
    pub added_at: String,
}

fn input_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InputRow> {
    Ok(InputRow {
        hash: r.get(0)?,
        name: r.get(1)?,
        path: r.get(2)?,
        bytes: r.get(3)?,
        sample_rate_hz: r.get(4)?,
        channels: r.get(5)?,
        duration_ms: r.get(6)?,
        added_at: r.get(7)?,
    })
}

const COLUMNS: &str = "hash, name, path, bytes, sample_rate_hz, channels, duration_ms, added_at";

impl Store {
    /// Records an input. A second drop of the same content keeps the first
    /// name and date (only the stored copy's path is updated).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn put_input(&self, row: &InputRow) -> Result<InputRow> {
        self.with(|c| {
            c.execute(
                "INSERT INTO inputs (hash, name, path, bytes, sample_rate_hz, channels, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (hash) DO UPDATE SET path = excluded.path",
                params![
                    row.hash,
                    row.name,
                    row.path,
                    row.bytes,
                    row.sample_rate_hz,
                    row.channels,
                    row.duration_ms
                ],
            )?;
            Ok(())
        })?;
        self.input(&row.hash)?
            .ok_or_else(|| crate::Error::NotFound(format!("input {} vanished", row.hash)))
    }

    /// The input with this hash, if stored.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn input(&self, hash: &str) -> Result<Option<InputRow>> {
        self.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {COLUMNS} FROM inputs WHERE hash = ?1"),
                [hash],
                input_from_row,
            )
            .optional()?)
        })
    }

    /// Every input, newest first.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn inputs(&self) -> Result<Vec<InputRow>> {
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {COLUMNS} FROM inputs ORDER BY added_at DESC, name"
            ))?;
            let v = st
                .query_map([], input_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
    }
}
