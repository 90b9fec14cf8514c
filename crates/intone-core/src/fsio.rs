//! Durable file writes: every step output is written to a temporary file in
//! the destination folder, flushed to disk, and renamed into place, so a
//! reader (or a resumed run) never sees a half-written file under a final name.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sysinfo::{Pid, ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System};

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

/// Like [`temp_path_for`], but keeping `dest`'s extension at the end
/// (`.<stem>.tmp-<pid>-<n>.<ext>`), for programs that pick a format by it.
pub fn temp_path_keeping_extension(dest: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = dest
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    dest.with_file_name(format!(".{stem}.tmp-{}-{n}{ext}", std::process::id()))
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

/// The process id that wrote a temporary file named by [`temp_path_for`].
pub fn temp_owner(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let rest = &name[name.rfind(".tmp-")? + 5..];
    rest.split('-').next()?.parse().ok()
}

/// Which of `pids` are running processes, asked of the OS through the
/// `sysinfo` crate (`/proc` on Linux, `libproc` on macOS, a process snapshot
/// on Windows). A zombie (exited, not yet reaped by its parent) writes
/// nothing more and counts as not running. Where `sysinfo` cannot list
/// processes, every pid counts as running, so nothing of theirs is touched.
fn running(pids: &[Pid]) -> HashSet<Pid> {
    if !sysinfo::IS_SUPPORTED_SYSTEM {
        return pids.iter().copied().collect();
    }
    let mut system = System::new();
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(pids),
        true,
        ProcessRefreshKind::nothing(),
    );
    pids.iter()
        .copied()
        .filter(|&pid| {
            system
                .process(pid)
                .is_some_and(|p| p.status() != ProcessStatus::Zombie)
        })
        .collect()
}

/// Removes temporary files in `dir` (not recursive) whose writer is no
/// longer running: what a crash or a kill left behind. The writer is the
/// process id in the file's name ([`temp_owner`]); files of live processes
/// (another Intone writing to a shared cache) are left alone, and so are
/// files whose writer cannot be told. Returns how many were removed.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let temps: Vec<(PathBuf, Pid)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_temp(p))
        .filter_map(|p| temp_owner(&p).map(|pid| (p, pid)))
        .filter(|&(_, pid)| pid != me)
        .map(|(p, pid)| (p, Pid::from_u32(pid)))
        .collect();
    if temps.is_empty() {
        return 0;
    }
    let mut owners: Vec<Pid> = temps.iter().map(|&(_, pid)| pid).collect();
    owners.sort_unstable();
    owners.dedup();
    let alive = running(&owners);
    temps
        .iter()
        .filter(|(_, pid)| !alive.contains(pid))
        .filter(|(p, _)| std::fs::remove_file(p).is_ok())
        .count()
}

/// [`remove_stale_temps`] in `dir` and its direct sub-folders (the clip
/// cache's two-level layout).
pub fn remove_stale_temps_two_levels(dir: &Path) -> usize {
    let mut n = remove_stale_temps(dir);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten().filter(|e| e.path().is_dir()) {
            n += remove_stale_temps(&e.path());
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_temps_of_dead_writers_are_removed() {
        let dir = tempfile::tempdir().expect("tmp");
        let sub = dir.path().join("ab");
        std::fs::create_dir_all(&sub).expect("dir");
        let mine = temp_path_for(&sub.join("a.wav"));
        let dead = sub.join(".b.wav.tmp-4294967-3");
        let done = sub.join("c.wav");
        for p in [&mine, &dead, &done] {
            std::fs::write(p, b"x").expect("write");
        }
        assert_eq!(temp_owner(&mine), Some(std::process::id()));
        assert_eq!(temp_owner(&dead), Some(4_294_967));
        assert_eq!(remove_stale_temps_two_levels(dir.path()), 1);
        assert!(mine.exists(), "a live writer's temp file stays");
        assert!(!dead.exists());
        assert!(done.exists());
    }

    /// A temp file named after `pid` in `dir`.
    #[cfg(unix)]
    fn temp_of(dir: &Path, name: &str, pid: u32) -> PathBuf {
        let p = dir.join(format!(".{name}.tmp-{pid}-0"));
        std::fs::write(&p, b"x").expect("write");
        p
    }

    /// The test binary itself, listing its tests: a short-lived process.
    #[cfg(unix)]
    fn short_lived_child() -> std::process::Command {
        let mut c = std::process::Command::new(std::env::current_exe().expect("exe"));
        c.arg("--list").stdout(std::process::Stdio::null());
        c
    }

    #[cfg(unix)]
    #[test]
    fn temps_of_an_exited_process_go_and_of_a_running_one_stay() {
        let dir = tempfile::tempdir().expect("tmp");
        let child = short_lived_child().spawn().expect("spawn");
        let exited = child.id();
        let status = child.wait_with_output().expect("wait").status;
        assert!(status.success());
        let gone = temp_of(dir.path(), "a.wav", exited);
        // The process that runs the tests (cargo, or a shell) is alive.
        let kept = temp_of(dir.path(), "b.wav", std::os::unix::process::parent_id());
        assert_eq!(remove_stale_temps(dir.path()), 1);
        assert!(!gone.exists(), "the exited writer's temp file is removed");
        assert!(kept.exists(), "a running writer's temp file stays");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_zombie_writer_is_not_running() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut child = short_lived_child().spawn().expect("spawn");
        let pid = Pid::from_u32(child.id());
        // Exited but not reaped until `wait` below: a zombie.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while running(&[pid]).contains(&pid) {
            assert!(std::time::Instant::now() < deadline, "child still running");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let gone = temp_of(dir.path(), "a.wav", child.id());
        assert_eq!(remove_stale_temps(dir.path()), 1);
        assert!(!gone.exists());
        child.wait().expect("reap");
    }
}
