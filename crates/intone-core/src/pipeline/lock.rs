//! Per-batch advisory locks: the process working on a batch holds an exclusive
//! lock on `locks/batch-<id>.lock` (std's [`File::try_lock`]: `flock` on Unix,
//! `LockFileEx` on Windows). The OS releases it when the process dies (even
//! by SIGKILL), so "is another live process working on this batch" is "is the
//! lock held", and "running" tracks of an unlocked batch are known to be
//! orphaned and safe to recover. No process ids are involved.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_busy_until_dropped() {
        let dir = tempfile::tempdir().expect("tmp");
        let home = Home::open(dir.path()).expect("home");
        let held = BatchLock::try_acquire(&home, 7).expect("first");
        // A second open file is a second holder, as another process would be.
        assert!(matches!(
            BatchLock::try_acquire(&home, 7),
            Err(Error::Busy(7))
        ));
        BatchLock::try_acquire(&home, 8).expect("another batch is free");
        drop(held);
        BatchLock::try_acquire(&home, 7).expect("free again");
    }
}
