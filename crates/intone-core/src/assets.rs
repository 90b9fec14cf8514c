//! Where the assets Intone ships are found: the built-in voice (`voices/`),
//! ONNX Runtime (`runtime/`), the speech recognizer's model (`models/`) and
//! the example scripts (`examples/`).
//!
//! One order, shared by the `intone` command and the desktop app:
//!
//! 1. `$INTONE_ASSETS` ([`ASSETS_ENV`], a `PATH`-style list of folders). When
//!    it is set, it is the whole search: a relocated bundle, or a test that
//!    must not see the assets a development build copies beside its binaries;
//! 2. the folder of the running executable (the development layout: the app's
//!    build script copies the bundle's resources beside `target/*/intone-app`);
//! 3. the app's resource folder, which the desktop app registers at start
//!    with [`set_resource_dir`] (Tauri's `resource_dir`; for the `.deb` and
//!    `.rpm` bundles it is `/usr/lib/Intone`);
//! 4. [`SYSTEM_DIR`], where the packages install them, so the packaged
//!    `intone` command finds them too.
//!
//! A user's own folders (`$INTONE_HOME/voices`, `INTONE_VOICE_PATH`, …) come
//! before all of these: see [`crate::Home::asset_dirs`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Environment variable: folders (a `PATH`-style list) that hold shipped
/// assets, searched first.
pub const ASSETS_ENV: &str = "INTONE_ASSETS";

/// Where the `.deb` and `.rpm` packages install the assets (Tauri bundles
/// resources under `/usr/lib/<productName>`).
pub const SYSTEM_DIR: &str = "/usr/lib/Intone";

/// Where an asset root came from, in the order they are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A folder of `$INTONE_ASSETS`.
    Env,
    /// The running executable's folder.
    BesideExecutable,
    /// The desktop app's resource folder.
    Resources,
    /// [`SYSTEM_DIR`].
    System,
}

/// One folder that may hold `voices/`, `runtime/`, `models/` and `examples/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRoot {
    /// The folder.
    pub dir: PathBuf,
    /// Why it is searched.
    pub origin: Origin,
}

static RESOURCE_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Registers the desktop app's resource folder (once; later calls are
/// ignored). The `intone` command has none.
pub fn set_resource_dir(dir: PathBuf) {
    let _ = RESOURCE_DIR.set(dir);
}

/// The asset roots of this process, in search order, without duplicates.
pub fn roots() -> Vec<AssetRoot> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    roots_from(
        std::env::var_os(ASSETS_ENV),
        exe_dir,
        RESOURCE_DIR.get().cloned(),
        PathBuf::from(SYSTEM_DIR),
    )
}

/// The search order for the given inputs (pure, so it can be tested): the
/// non-empty folders of `env` when it is set (and nothing else), otherwise
/// `exe_dir`, `resources` and `system`. A folder already listed is not listed
/// again.
pub fn roots_from(
    env: Option<OsString>,
    exe_dir: Option<PathBuf>,
    resources: Option<PathBuf>,
    system: PathBuf,
) -> Vec<AssetRoot> {
    let mut out: Vec<AssetRoot> = Vec::new();
    let mut push = |dir: PathBuf, origin: Origin| {
        if !out.iter().any(|r| r.dir == dir) {
            out.push(AssetRoot { dir, origin });
        }
    };
    if let Some(v) = env {
        for dir in std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()) {
            push(dir, Origin::Env);
        }
        return out;
    }
    if let Some(d) = exe_dir {
        push(d, Origin::BesideExecutable);
    }
    if let Some(d) = resources {
        push(d, Origin::Resources);
    }
    push(system, Origin::System);
    out
}

/// `name/` in every asset root, in search order (e.g. `dirs("voices")`).
pub fn dirs(name: &str) -> Vec<PathBuf> {
    roots().into_iter().map(|r| r.dir.join(name)).collect()
}

/// The example scripts shipped with Intone (`examples/*.md` and `*.txt` of
/// the first asset root that has any), sorted by file name.
pub fn examples() -> Vec<PathBuf> {
    examples_in(&dirs("examples"))
}

/// The scripts of the first of `folders` that has any (see [`examples`]).
fn examples_in(folders: &[PathBuf]) -> Vec<PathBuf> {
    for dir in folders {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut found: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && crate::script::is_script_path(p))
            .collect();
        if !found.is_empty() {
            found.sort();
            return found;
        }
    }
    Vec::new()
}

/// What a person should install for every feature to work, one line each
/// naming the Debian package: ffmpeg (video mux and some decodes) and a
/// General MIDI SoundFont (the built-in composer). Empty when all is there.
pub fn system_notes(home: &crate::Home) -> Vec<String> {
    let composer = crate::engines::music::builtin::Builtin::new(home.soundfonts_dir());
    notes_for(
        crate::audio::external::ffmpeg_program().is_some(),
        !composer.soundfonts().is_empty(),
        &home.soundfonts_dir(),
    )
}

/// The notes for what is there: ffmpeg found, a SoundFont found, and the
/// user's SoundFont folder.
fn notes_for(ffmpeg: bool, soundfont: bool, soundfonts_dir: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    if !ffmpeg {
        notes.push(
            "ffmpeg is not installed: scoring a video and reading Opus or RF64 recordings need it \
             (Debian/Ubuntu: sudo apt install ffmpeg)"
                .to_string(),
        );
    }
    if !soundfont {
        notes.push(format!(
            "No General MIDI SoundFont: the built-in composer needs one \
             (Debian/Ubuntu: sudo apt install fluid-soundfont-gm, or put a .sf2 file in {})",
            soundfonts_dir.display()
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs_of(roots: &[AssetRoot]) -> Vec<(&str, Origin)> {
        roots
            .iter()
            .map(|r| (r.dir.to_str().unwrap_or(""), r.origin))
            .collect()
    }

    #[test]
    fn executable_then_resources_then_system() {
        let roots = roots_from(
            None,
            Some(PathBuf::from("/opt/bin")),
            Some(PathBuf::from("/res")),
            PathBuf::from(SYSTEM_DIR),
        );
        assert_eq!(
            dirs_of(&roots),
            vec![
                ("/opt/bin", Origin::BesideExecutable),
                ("/res", Origin::Resources),
                (SYSTEM_DIR, Origin::System),
            ]
        );
    }

    #[test]
    fn intone_assets_set_is_the_whole_search() {
        let roots = roots_from(
            Some(OsString::from("/a::/b")),
            Some(PathBuf::from("/opt/bin")),
            Some(PathBuf::from("/res")),
            PathBuf::from(SYSTEM_DIR),
        );
        assert_eq!(
            dirs_of(&roots),
            vec![("/a", Origin::Env), ("/b", Origin::Env)]
        );
        // Set but empty: no shipped assets at all (a test of a bare machine).
        let none = roots_from(
            Some(OsString::new()),
            Some(PathBuf::from("/opt/bin")),
            None,
            PathBuf::from(SYSTEM_DIR),
        );
        assert_eq!(dirs_of(&none), vec![]);
    }

    #[test]
    fn a_folder_is_listed_once_and_missing_sources_are_skipped() {
        // The .deb's resource folder is /usr/lib/Intone itself.
        let roots = roots_from(
            None,
            None,
            Some(PathBuf::from(SYSTEM_DIR)),
            PathBuf::from(SYSTEM_DIR),
        );
        assert_eq!(dirs_of(&roots), vec![(SYSTEM_DIR, Origin::Resources)]);
    }

    #[test]
    fn a_note_names_the_debian_package_of_what_is_missing() {
        let dir = Path::new("/home/u/.local/share/intone/soundfonts");
        assert!(notes_for(true, true, dir).is_empty());
        let notes = notes_for(false, false, dir);
        assert_eq!(notes.len(), 2);
        assert!(notes[0].contains("apt install ffmpeg"), "{}", notes[0]);
        assert!(
            notes[1].contains("apt install fluid-soundfont-gm"),
            "{}",
            notes[1]
        );
        assert!(notes[1].contains(&*dir.to_string_lossy()), "{}", notes[1]);
        assert_eq!(notes_for(true, false, dir).len(), 1);
    }

    #[test]
    fn examples_come_from_the_first_root_that_has_them() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let first = tmp.path().join("first");
        let second = tmp.path().join("second");
        std::fs::create_dir_all(first.join("examples")).expect("mkdir");
        std::fs::create_dir_all(second.join("examples")).expect("mkdir");
        std::fs::write(second.join("examples/b.md"), "# B\n").expect("write");
        std::fs::write(second.join("examples/a.txt"), "A.\n").expect("write");
        std::fs::write(second.join("examples/scenes.json"), "{}").expect("write");
        let found = examples_in(&[first.join("examples"), second.join("examples")]);
        assert_eq!(
            found,
            vec![second.join("examples/a.txt"), second.join("examples/b.md")]
        );
    }

    /// The examples the packages ship parse: every script has sections and
    /// the scene list reads.
    #[test]
    fn the_repository_examples_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let scripts = examples_in(std::slice::from_ref(&dir));
        assert!(
            scripts.len() >= 2,
            "a meditation and a chapter: {scripts:?}"
        );
        for p in &scripts {
            let script = crate::script::parse_file(p).expect("example parses");
            assert!(!script.sections.is_empty(), "{} has sections", p.display());
        }
        let scenes = crate::script::scenes::read_file(&dir.join("harbor-dawn.scenes.toml"))
            .expect("scene list reads");
        assert_eq!(scenes.scenes.len(), 3);
    }
}
