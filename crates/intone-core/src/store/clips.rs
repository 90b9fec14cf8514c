//! The content-addressed clip cache index: BLAKE3 of (engine, engine salt,
//! voice, tempo, text) → a WAV file of that utterance, shared by every batch.

use rusqlite::{params, OptionalExtension};

use super::Store;
use crate::error::Result;

/// A cached clip.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipRow {
    /// Cache key (hex BLAKE3).
    pub key: String,
    /// WAV file.
    pub path: String,
    /// Sample rate.
    pub sample_rate_hz: u32,
    /// Frames.
    pub frames: i64,
}

impl Store {
    /// Looks a clip up by key.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn clip(&self, key: &str) -> Result<Option<ClipRow>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT key, path, sample_rate_hz, frames FROM clips WHERE key = ?1",
                [key],
                |r| {
                    Ok(ClipRow {
                        key: r.get(0)?,
                        path: r.get(1)?,
                        sample_rate_hz: r.get(2)?,
                        frames: r.get(3)?,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Records a clip whose file is already committed (first writer wins).
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn put_clip(
        &self,
        key: &str,
        engine: &str,
        voice: &str,
        path: &str,
        sample_rate_hz: u32,
        frames: i64,
    ) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO clips (key, engine, voice, path, sample_rate_hz, frames) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (key) DO UPDATE SET path = excluded.path, sample_rate_hz = excluded.sample_rate_hz,
                     frames = excluded.frames, heard = NULL",
                params![key, engine, voice, path, sample_rate_hz, frames],
            )?;
            Ok(())
        })
    }

    /// What the speech recognizer heard in a clip, if it was heard since the
    /// clip was (re)written.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn clip_heard(&self, key: &str) -> Result<Option<String>> {
        self.with(|c| {
            Ok(
                c.query_row("SELECT heard FROM clips WHERE key = ?1", [key], |r| {
                    r.get::<_, Option<String>>(0)
                })
                .optional()?
                .flatten(),
            )
        })
    }

    /// Caches what the recognizer heard in a clip.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn set_clip_heard(&self, key: &str, heard: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE clips SET heard = ?2 WHERE key = ?1",
                params![key, heard],
            )?;
            Ok(())
        })
    }

    /// Number of cached clips.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub fn clip_count(&self) -> Result<i64> {
        self.with(|c| Ok(c.query_row("SELECT count(*) FROM clips", [], |r| r.get(0))?))
    }
}
