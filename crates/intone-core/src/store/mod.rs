//! The SQLite job store: WAL mode, foreign keys, a busy timeout, and numbered
//! migrations from `migrations/*.sql` (embedded, applied in order at open with
//! `rusqlite_migration`, tracked by SQLite's `user_version`).
//!
//! Every state change of a track happens in one transaction together with the
//! recomputation of its batch's counters and status, so they never drift.

mod batches;
mod clips;
mod inputs;
mod library;
mod music;
mod projects;
mod settings;
mod steps;
mod takes;
mod tracks;
mod types;
mod units;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

pub use batches::{NewBatch, NewTrack, SectionRef};
pub use clips::ClipRow;
pub use inputs::InputRow;
pub use library::{LibraryFacets, LibraryFilter, LibraryItem, LibrarySort};
pub use music::{parse_key, MusicFacts};
pub use steps::StepRow;
pub use takes::TakeRow;
pub use types::{BatchRow, BatchStatus, JobKind, Step, TrackResult, TrackRow, TrackStatus};
pub use units::{UnitRow, UnitStatus};

/// The migrations, in order. Files are never edited once released.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../../../migrations/0001_job_store.sql")),
        M::up(include_str!(
            "../../../../migrations/0002_track_results.sql"
        )),
        M::up(include_str!("../../../../migrations/0003_inputs.sql")),
        M::up(include_str!("../../../../migrations/0004_job_kinds.sql")).foreign_key_check(),
        M::up(include_str!("../../../../migrations/0005_music.sql")),
        M::up(include_str!(
            "../../../../migrations/0006_encode_options.sql"
        )),
        M::up(include_str!("../../../../migrations/0007_speech_check.sql")),
        M::up(include_str!("../../../../migrations/0008_names.sql")),
        M::up(include_str!("../../../../migrations/0009_cast_lexicon.sql")),
        M::up(include_str!("../../../../migrations/0010_takes.sql")),
        M::up(include_str!("../../../../migrations/0011_music_facts.sql")),
    ])
}

/// The job store. Cheap to share behind an `Arc`; calls are serialized on one
/// connection (other processes may use the same file concurrently).
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it to the
    /// latest version.
    ///
    /// # Errors
    /// [`Error::Store`] or [`Error::Migration`] when the file cannot be opened or upgraded.
    pub fn open(path: &Path) -> Result<Self> {
        let _lock = MigrationLock::take(path)?;
        let mut conn = open_connection(path)?;
        migrate(&mut conn, |m, c| m.to_latest(c))?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// Opens the store at `path` migrated only up to `version` (1-based).
    /// For upgrade tests and tools; the app uses [`Store::open`].
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_at_version(path: &Path, version: usize) -> Result<Self> {
        let _lock = MigrationLock::take(path)?;
        let mut conn = open_connection(path)?;
        migrate(&mut conn, |m, c| m.to_version(c, version))?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (SQLite `user_version`).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn schema_version(&self) -> Result<i64> {
        self.with(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }

    /// Runs `f` with the connection.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| Error::Config("job store lock poisoned".into()))?;
        f(&mut guard)
    }
}

/// An exclusive advisory lock on `<store>.migrate.lock`, held while one
/// process sets a connection up and migrates. `rusqlite_migration` reads
/// `user_version` before it opens its transaction, so two processes opening
/// a new or old store at once (the app and the CLI, or a CLI reading a store
/// another is creating) would both apply the same migration and the second
/// would fail with "table … already exists"; and switching a new file to WAL
/// answers "database is locked" at once, without waiting, while another
/// connection writes it. Released on drop (the OS releases it if the process
/// dies).
struct MigrationLock(std::fs::File);

impl MigrationLock {
    fn take(store: &Path) -> Result<Self> {
        if let Some(dir) = store.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut name = store.as_os_str().to_owned();
        name.push(".migrate.lock");
        let path = PathBuf::from(name);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(Self(file))
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Runs `f` over the migrations with foreign keys off, as SQLite's
/// table-rebuild procedure requires (a `DROP TABLE` would otherwise cascade),
/// then checks every foreign key and turns enforcement back on.
fn migrate(
    conn: &mut Connection,
    f: impl FnOnce(&Migrations<'static>, &mut Connection) -> rusqlite_migration::Result<()>,
) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = f(&migrations(), conn);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result?;
    Ok(())
}

fn open_connection(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

#[cfg(test)]
mod library_tests;
#[cfg(test)]
mod migration_tests;
#[cfg(test)]
pub(crate) mod tests;
