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
//!
//! Where it is: `--home`, else `$INTONE_HOME`, else the platform's per-user
//! data folder from the `directories` crate ([`default_root`]):
//! `$XDG_DATA_HOME/intone` or `~/.local/share/intone` on Linux,
//! `~/Library/Application Support/Intone` on macOS, `%APPDATA%\Intone\data`
//! on Windows.

use std::path::{Path, PathBuf};

use directories::ProjectDirs;

use crate::error::{Error, Result};

/// Environment variable that overrides the home directory (same as `--home`).
pub const HOME_ENV: &str = "INTONE_HOME";

/// The application name the platform folders are derived from (lower-cased
/// to `intone` on Linux by `directories`).
const APP_NAME: &str = "Intone";

/// The platform's per-user data folder for Intone, from the `directories`
/// crate (`ProjectDirs::data_dir`): `$XDG_DATA_HOME/intone` or
/// `~/.local/share/intone` on Linux (XDG Base Directory spec),
/// `~/Library/Application Support/Intone` on macOS, and
/// `%APPDATA%\Intone\data` on Windows. `None` when the user has no home
/// folder.
pub fn default_root() -> Option<PathBuf> {
    ProjectDirs::from("", "", APP_NAME).map(|d| d.data_dir().to_path_buf())
}

/// The home folder to use: `explicit` (a `--home` flag), else `env` (the
/// value of `INTONE_HOME`) when it is not empty, else `default()`.
fn choose_root(
    explicit: Option<&Path>,
    env: Option<PathBuf>,
    default: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| env.filter(|p| !p.as_os_str().is_empty()))
        .or_else(default)
}

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

    /// The home from `explicit` (a `--home` flag), else `$INTONE_HOME` (when
    /// not empty), else the platform's per-user data folder ([`default_root`]):
    ///
    /// | OS | default home |
    /// | --- | --- |
    /// | Linux, BSD | `$XDG_DATA_HOME/intone`, or `~/.local/share/intone` when `XDG_DATA_HOME` is unset, empty or relative |
    /// | macOS | `~/Library/Application Support/Intone` |
    /// | Windows | `%APPDATA%\Intone\data` (`{FOLDERID_RoamingAppData}`) |
    ///
    /// # Errors
    /// [`Error::Config`] when no home can be determined (no `--home`, no
    /// `INTONE_HOME` and no user home folder); [`Error::Io`] naming the folder
    /// when it cannot be created.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        let env = std::env::var_os(HOME_ENV).map(PathBuf::from);
        match choose_root(explicit, env, default_root) {
            Some(root) => Self::open(root),
            None => Err(Error::Config(
                "no home directory: set INTONE_HOME or pass --home".into(),
            )),
        }
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
    /// (a `PATH`-style list), then `name/` in each of Intone's asset roots
    /// ([`crate::assets::roots`]: `$INTONE_ASSETS`, beside the executable, the
    /// app's resource folder, `/usr/lib/Intone`).
    pub fn asset_dirs(&self, name: &str, env: &str) -> Vec<PathBuf> {
        let mut dirs = vec![self.root.join(name)];
        if let Some(v) = std::env::var_os(env) {
            dirs.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()));
        }
        for d in crate::assets::dirs(name) {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    #[test]
    fn flag_then_env_then_platform_default() {
        let default = || Some(PathBuf::from("/platform/intone"));
        let flag = Path::new("/flag");
        assert_eq!(
            choose_root(Some(flag), Some("/env".into()), default),
            Some(PathBuf::from("/flag"))
        );
        assert_eq!(
            choose_root(None, Some("/env".into()), default),
            Some(PathBuf::from("/env"))
        );
        assert_eq!(
            choose_root(None, Some(PathBuf::new()), default),
            Some(PathBuf::from("/platform/intone")),
            "an empty INTONE_HOME is ignored"
        );
        assert_eq!(choose_root(None, None, default), default());
        assert_eq!(choose_root(None, None, || None), None);
    }

    /// Set in the environment of the child that [`linux_default_root`] runs.
    #[cfg(target_os = "linux")]
    const CHILD: &str = "INTONE_TEST_PRINT_DEFAULT_ROOT";

    /// Only does something as the child of [`linux_default_root`]: prints
    /// [`default_root`] under the environment the parent gave it, so the
    /// environment of this test process is never changed.
    #[cfg(target_os = "linux")]
    #[test]
    fn print_default_root_in_child() {
        if std::env::var_os(CHILD).is_some() {
            let root = default_root().map(|p| p.display().to_string());
            println!("default-root={}", root.unwrap_or_default());
        }
    }

    /// [`default_root`] in a child process run with `HOME=/home/alice` and
    /// `XDG_DATA_HOME` set to `xdg` (or removed when `None`).
    #[cfg(target_os = "linux")]
    fn default_root_in_child(xdg: Option<&str>) -> String {
        let exe = std::env::current_exe().expect("test binary");
        let mut cmd = std::process::Command::new(exe);
        cmd.args([
            "home::tests::print_default_root_in_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("HOME", "/home/alice");
        match xdg {
            Some(v) => cmd.env("XDG_DATA_HOME", v),
            None => cmd.env_remove("XDG_DATA_HOME"),
        };
        let out = cmd.output().expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The harness prints "test <name> ... " before the line, on the same line.
        let at = stdout
            .find("default-root=")
            .unwrap_or_else(|| panic!("child printed no root: {stdout}"));
        let rest = &stdout[at + "default-root=".len()..];
        rest.lines().next().unwrap_or_default().to_string()
    }

    /// The Linux default is what it was before `directories`:
    /// `$XDG_DATA_HOME/intone`, else `~/.local/share/intone`.
    #[cfg(target_os = "linux")]
    #[test]
    fn linux_default_root() {
        assert_eq!(default_root_in_child(Some("/data/xdg")), "/data/xdg/intone");
        assert_eq!(
            default_root_in_child(None),
            "/home/alice/.local/share/intone"
        );
        assert_eq!(
            default_root_in_child(Some("")),
            "/home/alice/.local/share/intone"
        );
    }
}
