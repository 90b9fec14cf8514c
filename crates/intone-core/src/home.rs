//! The Intone home directory: one folder that holds the job store, outputs,
//! the clip cache, user variants and voices.
//!
//! Layout (see `DESIGN.md`, "On disk"):
//! ```text
//! $INTONE_HOME/
//!   intone.db            SQLite job store
//!   projects/<slug>/tracks/batch-<id>/   finished tracks
//!   projects/<slug>/peaks/              waveform peaks (JSON) per track
//!   work/track-<id>/     intermediate step outputs, removed when a track completes
//!   inputs/              copied originals
//!   cache/clips/         content-addressed sentence clips (BLAKE3)
//!   variants/            user variants (*.toml)
//!   voices/              installed voices
//!   locks/               per-batch lock files (advisory, released on process death)
//!   logs/
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Environment variable that overrides the home directory (same as `--home`).
pub const HOME_ENV: &str = "INTONE_HOME";

/// Resolved paths inside one Intone home. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// Uses `root` as the home, creating it and its standard sub-folders.
    ///
    /// # Errors
    /// [`Error::Io`] naming the folder when it cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let home = Self { root: root.into() };
        for dir in [
            home.root.clone(),
            home.projects_dir(),
            home.work_dir(),
            home.inputs_dir(),
            home.clips_dir(),
            home.variants_dir(),
            home.voices_dir(),
            home.locks_dir(),
            home.logs_dir(),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(home)
    }

    /// The home from `explicit` (a `--home` flag), else `$INTONE_HOME`, else the
    /// platform data directory (`$XDG_DATA_HOME/intone` or `~/.local/share/intone`).
    ///
    /// # Errors
    /// [`Error::Config`] when no home can be determined; [`Error::Io`] when it
    /// cannot be created.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        if let Some(p) = explicit {
            return Self::open(p);
        }
        if let Some(p) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Self::open(PathBuf::from(p));
        }
        if let Some(p) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
            return Self::open(PathBuf::from(p).join("intone"));
        }
        if let Some(p) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            return Self::open(PathBuf::from(p).join(".local/share/intone"));
        }
        Err(Error::Config(
            "no home directory: set INTONE_HOME or pass --home".into(),
        ))
    }

    /// The home's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The SQLite job store file.
    pub fn db_path(&self) -> PathBuf {
        self.root.join("intone.db")
    }
    /// Parent of every project folder.
    pub fn projects_dir(&self) -> PathBuf {
        self.root.join("projects")
    }
    /// Folder for one project's outputs.
    pub fn project_dir(&self, slug: &str) -> PathBuf {
        self.projects_dir().join(slug)
    }
    /// Parent of the per-track work folders.
    pub fn work_dir(&self) -> PathBuf {
        self.root.join("work")
    }
    /// Intermediate files of one track; removed when the track completes.
    pub fn track_work_dir(&self, track_id: i64) -> PathBuf {
        self.work_dir().join(format!("track-{track_id}"))
    }
    /// Copied originals of dropped inputs.
    pub fn inputs_dir(&self) -> PathBuf {
        self.root.join("inputs")
    }
    /// Content-addressed sentence clips.
    pub fn clips_dir(&self) -> PathBuf {
        self.root.join("cache").join("clips")
    }
    /// User variant recipes (`*.toml`).
    pub fn variants_dir(&self) -> PathBuf {
        self.root.join("variants")
    }
    /// Installed voices.
    pub fn voices_dir(&self) -> PathBuf {
        self.root.join("voices")
    }
    /// Where an installed asset of one kind is looked for, in order: the
    /// home's `name/` folder, the folders of the environment variable `env`
    /// (a `PATH`-style list), then `name/` next to the executable (where a
    /// packaged app ships them).
    pub fn asset_dirs(&self, name: &str, env: &str) -> Vec<PathBuf> {
        let mut dirs = vec![self.root.join(name)];
        if let Some(v) = std::env::var_os(env) {
            dirs.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()));
        }
        if let Some(exe_dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        {
            dirs.push(exe_dir.join(name));
        }
        dirs
    }
    /// Advisory per-batch lock files.
    pub fn locks_dir(&self) -> PathBuf {
        self.root.join("locks")
    }
    /// HTTP engine configuration (`engines.toml`).
    pub fn engines_path(&self) -> PathBuf {
        self.root.join("engines.toml")
    }
    /// The user's converters (`converters.toml`).
    pub fn converters_path(&self) -> PathBuf {
        self.root.join("converters.toml")
    }
    /// The user's SoundFonts (`*.sf2`) for the built-in composer.
    pub fn soundfonts_dir(&self) -> PathBuf {
        self.root.join("soundfonts")
    }
    /// Log files.
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
}
