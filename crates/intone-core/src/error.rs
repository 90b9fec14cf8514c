//! Error types shared by the core. Every error names the file or item it is
//! about, so the CLI and the app can show one clear line.
//!
//! This module depends on no other module of the core: [`EngineError`] (an
//! engine failure classified for the retry policy) is defined here and
//! re-exported as `crate::engines::EngineError`, so `audio` and the rest can
//! use [`Error`] without depending on `engines`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file system operation failed on `path`.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The job store failed.
    #[error("job store: {0}")]
    Store(#[from] rusqlite::Error),
    /// The job store could not be migrated.
    #[error("job store migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A script could not be used.
    #[error("{}: {message}", path.display())]
    Script {
        /// The script file (or `<text>` for pasted text).
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// An audio file could not be read, decoded or written.
    #[error("{}: {message}", path.display())]
    Audio {
        /// The audio file involved.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// An engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A named thing (voice, variant, batch, bed) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Bad configuration or arguments.
    #[error("{0}")]
    Config(String),
    /// Another live process owns the batch.
    #[error("batch {0} is being processed by another Intone process")]
    Busy(i64),
    /// The work was cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    /// An [`Error::Audio`] for `path`.
    pub fn audio(path: &Path, message: impl std::fmt::Display) -> Self {
        Self::Audio {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}

/// Whether retrying can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Might succeed later (connection refused, timeout, 429, 5xx): retry with backoff.
    Transient,
    /// Will fail again (bad voice, bad text, undecodable audio): fail the track.
    Permanent,
}

/// An engine failure, classified for the retry policy.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq, Serialize, Deserialize)]
#[error("{engine}: {message}")]
pub struct EngineError {
    /// Engine id (`espeak`).
    pub engine: String,
    /// Transient or permanent.
    pub kind: ErrorKind,
    /// Human-readable cause (the server's own message where there is one).
    pub message: String,
}

impl EngineError {
    /// A permanent error.
    pub fn permanent(engine: &str, message: impl Into<String>) -> Self {
        Self {
            engine: engine.into(),
            kind: ErrorKind::Permanent,
            message: message.into(),
        }
    }
    /// A transient error.
    pub fn transient(engine: &str, message: impl Into<String>) -> Self {
        Self {
            engine: engine.into(),
            kind: ErrorKind::Transient,
            message: message.into(),
        }
    }
}
