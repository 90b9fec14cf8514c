//! The commands the UI calls, grouped by view. Each is a thin call into the
//! core; errors come back as one readable line (never a panic across the IPC
//! boundary). Their TypeScript client is generated (see `bindings.rs`).

pub mod book;
pub mod cast;
pub mod check;
pub mod convert;
pub mod engines;
pub mod library;
pub mod music;
pub mod playback;
pub mod scenes;
pub mod start;
pub mod studio;
pub mod takes;

use serde::Serialize;
use tauri::State;

use crate::AppState;

/// What every command returns: the value or one readable line.
pub type CmdResult<T> = Result<T, String>;

/// Runs recorded batch `id` on the async runtime; its progress reaches the
/// UI as events, and an error that ends the run early goes to the log.
pub fn run_in_background(state: &AppState, id: i64) {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = studio.run_batch(id).await {
            tracing::error!("batch {id}: {e}");
        }
    });
}

/// Records a batch with `record` on a blocking thread (it plans, checks and
/// writes the store, and may ask local servers), then starts it with
/// [`run_in_background`]. Returns the batch id.
///
/// # Errors
/// `record`'s error as one line, or the blocking task's.
pub async fn record_and_start<E: std::fmt::Display>(
    state: &AppState,
    record: impl FnOnce(&intone_core::Studio) -> Result<i64, E> + Send + 'static,
) -> CmdResult<i64> {
    let studio = state.studio.clone();
    let id = tauri::async_runtime::spawn_blocking(move || record(&studio).map_err(err))
        .await
        .map_err(err)??;
    run_in_background(state, id);
    Ok(id)
}

/// The error as the line the UI shows.
pub fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Facts about the running app.
#[derive(Debug, Serialize, specta::Type)]
pub struct AppInfo {
    /// Intone's version.
    pub version: String,
    /// The home folder.
    pub home: String,
    /// Why audio cannot play here, if it cannot.
    pub audio_error: Option<String>,
    /// Problems with engines.toml and the like.
    pub warnings: Vec<String>,
    /// System packages to install for every feature to work, each naming
    /// its Debian package (ffmpeg, a General MIDI SoundFont).
    pub notes: Vec<String>,
}

/// Version, home folder, audio availability and configuration warnings.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        home: state.studio.home().root().display().to_string(),
        audio_error: state.player.state().error,
        warnings: {
            let mut w = state.studio.engines().warnings;
            w.extend(state.studio.converter_warnings());
            w
        },
        notes: intone_core::assets::system_notes(state.studio.home()),
    }
}
