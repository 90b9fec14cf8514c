//! What the studio does with files beyond generating: deleting and exporting
//! finished tracks, installing dropped Piper voices, and keeping dropped audio
//! as inputs. Every copy goes through a temporary file and a rename, so an
//! interrupted export or install never leaves a half-written file under its
//! final name.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audio::decode::probe_file;
use crate::engines::piper::config::VoiceConfig;
use crate::error::{Error, Result};
use crate::fsio;
use crate::store::{InputRow, TrackStatus};
use crate::studio::Studio;

/// Audio file extensions accepted as inputs.
pub const INPUT_EXTENSIONS: &[&str] = &[
    "wav", "wave", "mp3", "m4a", "mp4", "mov", "aac", "flac", "ogg", "oga", "mkv", "webm", "aif",
    "aiff", "caf",
];

/// What [`Studio::delete_tracks`] did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeleteReport {
    /// Tracks removed from the store.
    pub deleted: u32,
    /// Audio and waveform files removed.
    pub files_removed: u32,
    /// Files that could not be removed (the rows are gone regardless).
    pub problems: Vec<String>,
}

/// What [`Studio::export_tracks`] did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportReport {
    /// The destination folder.
    pub folder: String,
    /// Files now in the folder, one per exported track.
    pub files: Vec<String>,
    /// Tracks not exported, with the reason.
    pub skipped: Vec<String>,
}

fn blake3_file(path: &Path) -> Result<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    h.update_reader(f).map_err(|e| Error::io(path, e))?;
    Ok(h.finalize())
}

/// Copies `src` to `dest` through a temporary file.
fn copy_atomically(src: &Path, dest: &Path) -> Result<()> {
    fsio::write_with(dest, |tmp| {
        std::fs::copy(src, tmp).map_err(|e| Error::io(src, e))?;
        Ok(())
    })
}

/// `dest`, or `name (2).ext`, `name (3).ext`… beside it, whichever is free or
/// already holds exactly `src`'s bytes (second value: already there).
fn free_name(dest: &Path, src_hash: blake3::Hash) -> Result<(PathBuf, bool)> {
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = dest
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..10_000 {
        let candidate = if n == 1 {
            dest.to_path_buf()
        } else {
            dest.with_file_name(format!("{stem} ({n}){ext}"))
        };
        if !candidate.exists() {
            return Ok((candidate, false));
        }
        if blake3_file(&candidate)? == src_hash {
            return Ok((candidate, true));
        }
    }
    Err(Error::Config(format!(
        "{}: too many files with this name",
        dest.display()
    )))
}

impl Studio {
    /// Deletes tracks: their rows (with steps; a batch left empty goes too),
    /// then their audio, waveform and work files.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, [`Error::Config`] for a track
    /// being generated; nothing is deleted then.
    pub fn delete_tracks(&self, ids: &[i64]) -> Result<DeleteReport> {
        let rows = self.store().delete_tracks(ids)?;
        let mut report = DeleteReport {
            deleted: rows.len() as u32,
            ..Default::default()
        };
        for t in &rows {
            for p in [&t.output_path, &t.peaks_path].into_iter().flatten() {
                match std::fs::remove_file(p) {
                    Ok(()) => report.files_removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => report.problems.push(format!("{p}: {e}")),
                }
            }
            let work = self.home().track_work_dir(t.id);
            // A score's scene takes are kept outside its work folder.
            let scenes = std::fs::read_dir(self.home().projects_dir())
                .into_iter()
                .flatten()
                .flatten()
                .map(|p| p.path().join("scenes").join(format!("track-{}", t.id)));
            for dir in std::iter::once(work).chain(scenes) {
                if dir.exists() {
                    if let Err(e) = std::fs::remove_dir_all(&dir) {
                        report.problems.push(format!("{}: {e}", dir.display()));
                    }
                }
            }
        }
        Ok(report)
    }

    /// Copies finished tracks into `folder` under their file names (adding
    /// ` (2)` and so on when a different file already has the name; a file
    /// with the same bytes is left as it is). Unfinished tracks are skipped
    /// with the reason.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id; [`Error::Io`] naming the file
    /// when the folder cannot be written.
    pub fn export_tracks(&self, ids: &[i64], folder: &Path) -> Result<ExportReport> {
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        let mut report = ExportReport {
            folder: folder.display().to_string(),
            ..Default::default()
        };
        for &id in ids {
            let t = self.store().track(id)?;
            let label = format!("{} · {}", t.title, t.variant);
            let src = match (&t.output_path, t.status) {
                (Some(p), TrackStatus::Completed) => PathBuf::from(p),
                _ => {
                    report
                        .skipped
                        .push(format!("{label}: not finished ({})", t.status));
                    continue;
                }
            };
            if !src.is_file() {
                report
                    .skipped
                    .push(format!("{label}: {} is missing", src.display()));
                continue;
            }
            let Some(name) = src.file_name() else {
                report.skipped.push(format!("{label}: no file name"));
                continue;
            };
            let (dest, present) = free_name(&folder.join(name), blake3_file(&src)?)?;
            if !present {
                copy_atomically(&src, &dest)?;
            }
            report.files.push(dest.display().to_string());
        }
        Ok(report)
    }

    /// Installs a Piper voice from `path` (its `.onnx` model or `.onnx.json`
    /// config; the other file must sit beside it) into the voices folder.
    /// Returns the voice id (`piper:<name>`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the file: partner file missing, config not a
    /// Piper voice config, or a different voice of that name already installed.
    pub fn install_voice(&self, path: &Path) -> Result<String> {
        let text = path.to_string_lossy();
        let (onnx, json) = if let Some(base) = text.strip_suffix(".onnx.json") {
            (PathBuf::from(format!("{base}.onnx")), path.to_path_buf())
        } else if text.ends_with(".onnx") {
            (path.to_path_buf(), PathBuf::from(format!("{text}.json")))
        } else {
            return Err(Error::Config(format!(
                "{text}: not a Piper voice (.onnx with its .onnx.json)"
            )));
        };
        for (f, what) in [(&onnx, "model"), (&json, "config")] {
            if !f.is_file() {
                return Err(Error::Config(format!(
                    "{}: the voice's {what} is missing (a Piper voice is NAME.onnx plus NAME.onnx.json, side by side)",
                    f.display()
                )));
            }
        }
        VoiceConfig::load(&json).map_err(|e| {
            Error::Config(format!("{}: not a Piper voice config: {e}", json.display()))
        })?;
        let name = onnx
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Config(format!("{}: no file name", onnx.display())))?;
        let dir = self.home().voices_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let dest_onnx = dir.join(format!("{name}.onnx"));
        let dest_json = dir.join(format!("{name}.onnx.json"));
        for (src, dest) in [(&onnx, &dest_onnx), (&json, &dest_json)] {
            if dest.exists() && blake3_file(dest)? != blake3_file(src)? {
                return Err(Error::Config(format!(
                    "{}: a different voice named \"{name}\" is already installed ({})",
                    src.display(),
                    dest.display()
                )));
            }
        }
        // Config first: the voice is listed only once its model is in place.
        for (src, dest) in [(&json, &dest_json), (&onnx, &dest_onnx)] {
            if !dest.exists() {
                copy_atomically(src, dest)?;
            }
        }
        Ok(format!("piper:{name}"))
    }

    /// Keeps a dropped audio file as an input: checks it decodes, copies it
    /// to `inputs/<blake3>.<ext>` (the same content is stored once) and
    /// records it.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it is not decodable audio;
    /// [`Error::Io`] when it cannot be copied.
    pub fn add_input(&self, path: &Path) -> Result<InputRow> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if !INPUT_EXTENSIONS.contains(&ext.as_str()) {
            return Err(Error::audio(
                path,
                format!(
                    "not an audio file Intone reads ({})",
                    INPUT_EXTENSIONS.join(", ")
                ),
            ));
        }
        self.keep_input(path)
    }

    /// Keeps an audio file as an input whatever its extension (its bytes
    /// decide): checks it decodes, copies it to `inputs/<blake3>.<ext>` once
    /// per content, and records it.
    ///
    /// # Errors
    /// [`Error::Audio`] naming the file when it is not decodable audio;
    /// [`Error::Io`] when it cannot be copied.
    pub fn keep_input(&self, path: &Path) -> Result<InputRow> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .filter(|e| e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or_else(|| "bin".into());
        let info = probe_file(path)?;
        let hash = blake3_file(path)?.to_hex().to_string();
        if let Some(row) = self.store().input(&hash)? {
            if Path::new(&row.path).is_file() {
                return Ok(row);
            }
        }
        let dest = self.home().inputs_dir().join(format!("{hash}.{ext}"));
        if !dest.is_file() {
            copy_atomically(path, &dest)?;
        }
        let bytes = std::fs::metadata(&dest)
            .map_err(|e| Error::io(&dest, e))?
            .len();
        self.store().put_input(&InputRow {
            hash,
            name: path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            path: dest.display().to_string(),
            bytes: bytes as i64,
            sample_rate_hz: info.sample_rate_hz,
            channels: info.channels,
            duration_ms: info.duration_ms,
            added_at: String::new(),
        })
    }
}
