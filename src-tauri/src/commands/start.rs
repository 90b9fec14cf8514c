//! The first moments of the app: the example scripts a new user can open,
//! and the files the app was started with ("Open with Intone" in a file
//! manager, or `intone-app script.md`).

use std::path::PathBuf;
use std::sync::Mutex;

use intone_core::studio::ScriptPreview;
use serde::Serialize;
use tauri::State;

use super::studio::{read_script_file, ScriptFile};
use super::CmdResult;
use crate::drop::{self, Dropped};
use crate::AppState;

static LAUNCH_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Keeps the files named on the command line until the UI asks for them.
pub fn set_launch_files(paths: Vec<PathBuf>) {
    if let Ok(mut held) = LAUNCH_FILES.lock() {
        *held = paths;
    }
}

/// An example script with what the core makes of it (its title and sections).
#[derive(Debug, Serialize, specta::Type)]
pub struct Example {
    /// The file and its text, as the editor opens it.
    pub script: ScriptFile,
    /// Its title and sections, as the script preview shows them.
    pub preview: ScriptPreview,
}

/// The example scripts shipped with Intone (`examples/` in the asset roots:
/// `/usr/lib/Intone/examples` when installed), by file name.
///
/// # Errors
/// An example that cannot be read or parsed, named.
#[tauri::command]
#[specta::specta]
pub fn examples(state: State<'_, AppState>) -> CmdResult<Vec<Example>> {
    intone_core::assets::examples()
        .iter()
        .map(|p| {
            let script = read_script_file(p)?;
            let preview = state
                .studio
                .preview_script(&script.name, &script.text)
                .map_err(super::err)?;
            Ok(Example { script, preview })
        })
        .collect()
}

/// The files the app was started with, handled as if they were dropped on
/// the window (scripts open in the editor, recordings become inputs). Given
/// once: later calls get nothing.
#[tauri::command]
#[specta::specta]
pub async fn launch_files(state: State<'_, AppState>) -> CmdResult<Dropped> {
    let paths = LAUNCH_FILES
        .lock()
        .map(|mut held| std::mem::take(&mut *held))
        .unwrap_or_default();
    if paths.is_empty() {
        return Ok(Dropped::default());
    }
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || drop::handle(&studio, &paths))
        .await
        .map_err(super::err)
}
