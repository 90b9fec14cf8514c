//! Watched folders: drop recordings into a folder and walk away. A file is
//! taken once it has stopped growing (same size, last written at least
//! [`STABLE_MS`] ago), moved to the folder's `processed/` subfolder (never
//! deleted; a name already there gets ` (2)`, ` (3)`…), and converted with
//! the folder's stored request, like a Convert click. A file Intone cannot
//! read is moved to `rejected/` beside it, so it is reported once.
//!
//! Changes are noticed through the `notify` crate (inotify on Linux) and, as
//! the fallback that also covers network folders, a scan every
//! [`POLL_MS`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::Studio;
use crate::error::{Error, Result};
use crate::kinds::conversion::ConvertRequest;

/// How long a file must stay unchanged before it is taken, ms.
pub const STABLE_MS: u64 = 1_500;
/// Scan interval when no change notification arrives, ms.
pub const POLL_MS: u64 = 1_000;

/// A watched folder as the user sees it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchFolder {
    /// The folder.
    pub path: String,
    /// What its files get (the file list is empty).
    pub request: ConvertRequest,
}

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    /// Batches created.
    pub batches: Vec<i64>,
    /// One line per file taken, skipped or rejected.
    pub lines: Vec<String>,
}

/// Files seen growing: path → (size, first seen with that size).
#[derive(Default)]
pub struct Watcher {
    seen: HashMap<PathBuf, (u64, SystemTime)>,
}

fn free_path(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let p = Path::new(name);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = p
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|c| !c.exists())
        .unwrap_or(first)
}

fn move_into(file: &Path, sub: &str) -> Result<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new(".")).join(sub);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = file.file_name().unwrap_or_default();
    let dest = free_path(&dir, name);
    std::fs::rename(file, &dest).map_err(|e| Error::io(file, e))?;
    Ok(dest)
}

/// Watched folders.
impl Studio {
    /// Watches `dir` with `request` (its file list is ignored). Survives restarts.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `dir` is not a folder; the request's own errors.
    pub fn add_watch_folder(&self, dir: &Path, request: &ConvertRequest) -> Result<WatchFolder> {
        if !dir.is_dir() {
            return Err(Error::NotFound(format!("{}: not a folder", dir.display())));
        }
        let dir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        let mut request = request.clone();
        request.files.clear();
        // Check the converter and settings now, not when the first file lands.
        let conv = self.pipeline.converters().get(
            request
                .converter
                .as_deref()
                .unwrap_or(crate::engines::conversion::DEFAULT_CONVERTER),
        )?;
        conv.resolve(&request.settings)?;
        let json = serde_json::to_string(&request).map_err(|e| Error::Config(e.to_string()))?;
        self.store()
            .put_watch_folder(&dir.to_string_lossy(), &json)?;
        Ok(WatchFolder {
            path: dir.to_string_lossy().into_owned(),
            request,
        })
    }

    /// Stops watching `dir` (its files stay where they are).
    ///
    /// # Errors
    /// [`Error::NotFound`] when it was not watched.
    pub fn remove_watch_folder(&self, dir: &str) -> Result<()> {
        let canon = Path::new(dir)
            .canonicalize()
            .map_or_else(|_| dir.to_string(), |p| p.to_string_lossy().into_owned());
        if self.store().remove_watch_folder(&canon)? || self.store().remove_watch_folder(dir)? {
            Ok(())
        } else {
            Err(Error::NotFound(format!("{dir} is not watched")))
        }
    }

    /// Every watched folder.
    ///
    /// # Errors
    /// [`Error::Store`]; [`Error::Config`] for a stored request that no longer parses.
    pub fn watch_folders(&self) -> Result<Vec<WatchFolder>> {
        self.store()
            .watch_folders()?
            .into_iter()
            .map(|(path, json)| {
                let request = serde_json::from_str(&json)
                    .map_err(|e| Error::Config(format!("watched folder {path}: {e}")))?;
                Ok(WatchFolder { path, request })
            })
            .collect()
    }

    /// Scans every watched folder once: files that stopped growing are moved
    /// to `processed/` and recorded as conversion batches (not run: the
    /// caller runs them).
    ///
    /// # Errors
    /// Store errors. Problems with single files are lines in the report.
    pub fn scan_watch_folders(&self, w: &mut Watcher) -> Result<ScanReport> {
        let mut report = ScanReport::default();
        let now = SystemTime::now();
        let stable = Duration::from_millis(STABLE_MS);
        for folder in self.watch_folders()? {
            let Ok(entries) = std::fs::read_dir(&folder.path) else {
                report
                    .lines
                    .push(format!("{}: cannot read the watched folder", folder.path));
                continue;
            };
            let mut ready = Vec::new();
            for e in entries.flatten() {
                let p = e.path();
                let hidden = e.file_name().to_string_lossy().starts_with('.');
                let Ok(meta) = e.metadata() else { continue };
                if hidden || !meta.is_file() {
                    continue;
                }
                let size = meta.len();
                let modified = meta.modified().unwrap_or(now);
                let first = match w.seen.get(&p) {
                    Some(&(s, t)) if s == size => t,
                    _ => {
                        w.seen.insert(p.clone(), (size, now));
                        now
                    }
                };
                // Unchanged since it was first seen with this size, and not
                // written to for a while: the copy into the folder is done.
                let unchanged = now.duration_since(first).unwrap_or_default() >= stable
                    || first == now && now.duration_since(modified).unwrap_or_default() >= stable;
                if unchanged && now.duration_since(modified).unwrap_or_default() >= stable {
                    ready.push(p);
                }
            }
            ready.sort();
            let mut files = Vec::new();
            for p in ready {
                w.seen.remove(&p);
                if let Err(e) = crate::audio::decode::probe_file(&p) {
                    let moved = move_into(&p, "rejected");
                    report.lines.push(format!(
                        "{e} (moved to {})",
                        moved.map_or_else(|e| e.to_string(), |m| m.display().to_string())
                    ));
                    continue;
                }
                match move_into(&p, "processed") {
                    Ok(m) => files.push(m),
                    Err(e) => report.lines.push(e.to_string()),
                }
            }
            if files.is_empty() {
                continue;
            }
            let mut req = folder.request.clone();
            req.files = files;
            let plan = self.plan_conversion(&req)?;
            report.lines.extend(plan.rejected.iter().cloned());
            for a in &plan.already {
                report.lines.push(format!(
                    "{}: already converted in batch {} → {}",
                    a.file, a.batch_id, a.output_path
                ));
            }
            if let Some(id) = self.create_conversion_batch(&plan)? {
                report.lines.push(format!(
                    "{}: {} file(s) from {} → batch {id}",
                    folder.path,
                    plan.tracks.len(),
                    folder.path
                ));
                report.batches.push(id);
            }
        }
        Ok(report)
    }

    /// Watches every stored folder until `stop` returns true: scans on every
    /// change notification and at least every [`POLL_MS`], runs the batches
    /// it records, and hands each report to `on_report`.
    ///
    /// # Errors
    /// Store errors.
    pub async fn watch(
        &self,
        stop: impl Fn() -> bool,
        mut on_report: impl FnMut(&ScanReport),
    ) -> Result<()> {
        use notify::Watcher as _;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        // inotify where it works; the timed scan below covers the rest.
        let mut fs_watcher =
            notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
                let _ = tx.send(());
            })
            .ok();
        let mut watched: Vec<String> = Vec::new();
        let mut state = Watcher::default();
        while !stop() {
            let folders: Vec<String> = self.watch_folders()?.into_iter().map(|f| f.path).collect();
            if let Some(fw) = fs_watcher.as_mut() {
                for f in &folders {
                    if !watched.contains(f)
                        && fw
                            .watch(Path::new(f), notify::RecursiveMode::NonRecursive)
                            .is_ok()
                    {
                        watched.push(f.clone());
                    }
                }
            }
            let report = self.scan_watch_folders(&mut state)?;
            if !report.lines.is_empty() {
                on_report(&report);
            }
            for id in &report.batches {
                self.run_batch(*id).await?;
            }
            let _ = tokio::time::timeout(Duration::from_millis(POLL_MS), rx.recv()).await;
            while rx.try_recv().is_ok() {}
        }
        Ok(())
    }
}
