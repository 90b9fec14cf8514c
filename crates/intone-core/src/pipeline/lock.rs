//! Per-batch advisory locks: the process working on a batch holds an exclusive
//! lock on `locks/batch-<id>.lock`. The OS releases it when the process dies
//! (even by SIGKILL), so "running" tracks of an unlocked batch are known to be
//! orphaned and safe to recover.

use std::fs::{File, OpenOptions, TryLockError};

use crate::error::{Error, Result};
use crate::home::Home;

/// Held while a batch is being processed.
#[derive(Debug)]
pub struct BatchLock {
    _file: File,
}

impl BatchLock {
    /// Takes the lock of `batch_id` without waiting.
    ///
    /// # Errors
    /// [`Error::Busy`] when another live process holds it; [`Error::Io`].
    pub fn try_acquire(home: &Home, batch_id: i64) -> Result<Self> {
        let path = home.locks_dir().join(format!("batch-{batch_id}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::Busy(batch_id)),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}
