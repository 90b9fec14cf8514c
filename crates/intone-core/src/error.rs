//! Error types shared by the core. Every error names the file or item it is
//! about, so the CLI and the app can show one clear line.

use std::path::{Path, PathBuf};

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
    Engine(#[from] crate::engines::EngineError),
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
