//! Durable file writes: every step output is written to a temporary file in
//! the destination folder, flushed to disk, and renamed into place, so a
//! reader (or a resumed run) never sees a half-written file under a final name.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique temporary path next to `dest`: `.<name>.tmp-<pid>-<n>`.
/// Files named like this are never reported as outputs; [`remove_stale_temps`]
/// cleans them up after a crash.
pub fn temp_path_for(dest: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = dest
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Flushes `tmp` to disk and renames it to `dest` (replacing any old file),
/// then flushes the folder entry.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be synced or renamed.
pub fn commit(tmp: &Path, dest: &Path) -> Result<()> {
    File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(tmp, e))?;
    std::fs::rename(tmp, dest).map_err(|e| Error::io(dest, e))?;
    if let Some(dir) = dest.parent() {
        // Directory fsync makes the rename itself durable (POSIX); best effort elsewhere.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Writes `bytes` to `dest` atomically (temp file + rename).
///
/// # Errors
/// [`Error::Io`] naming the file.
pub fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = temp_path_for(dest);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    commit(&tmp, dest)
}

/// Runs `write` against a temporary path next to `dest` and commits the result;
/// the temporary file is removed if `write` fails.
///
/// # Errors
/// Whatever `write` returns, or [`Error::Io`] from the commit.
pub fn write_with<T>(dest: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = temp_path_for(dest);
    match write(&tmp) {
        Ok(v) => {
            commit(&tmp, dest)?;
            Ok(v)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Whether `path` names a temporary file made by [`temp_path_for`].
pub fn is_temp(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.contains(".tmp-"))
}

/// Removes temporary files left in `dir` (not recursive) by a crashed run.
/// Returns how many were removed.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| is_temp(&e.path()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}
