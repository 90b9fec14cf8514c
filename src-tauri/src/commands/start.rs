//! The first moments of the app: the example scripts a new user can open,
//! and the files the app was started with ("Open with Intone" in a file
//! manager, or `intone-app script.md`).

use std::path::PathBuf;
use std::sync::Mutex;

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

/// The example scripts shipped with Intone (`examples/` in the asset roots:
/// `/usr/lib/Intone/examples` when installed), with their text, by file name.
///
/// # Errors
/// An example that cannot be read, named.
#[tauri::command]
#[specta::specta]
pub fn examples() -> CmdResult<Vec<ScriptFile>> {
    intone_core::assets::examples()
        .iter()
        .map(|p| read_script_file(p))
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
