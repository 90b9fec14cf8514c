//! Library view: every track, filtered; delete, export, reveal; inputs.

use std::path::PathBuf;

use intone_core::library::{DeleteReport, ExportReport};
use intone_core::store::{InputRow, LibraryFacets, LibraryFilter, LibraryItem};
use tauri::State;

use super::{err, CmdResult};
use crate::AppState;

/// Tracks matching the filter, newest batch first.
#[tauri::command]
#[specta::specta]
pub fn library(state: State<'_, AppState>, filter: LibraryFilter) -> CmdResult<Vec<LibraryItem>> {
    state.studio.store().library(&filter).map_err(err)
}

/// The variants, voices and scripts present, for the filter pickers.
#[tauri::command]
#[specta::specta]
pub fn library_facets(state: State<'_, AppState>) -> CmdResult<LibraryFacets> {
    state.studio.store().library_facets().map_err(err)
}

/// Deletes tracks (rows and files). The UI asks for confirmation first.
#[tauri::command]
#[specta::specta]
pub async fn delete_tracks(
    state: State<'_, AppState>,
    track_ids: Vec<i64>,
) -> CmdResult<DeleteReport> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || studio.delete_tracks(&track_ids).map_err(err))
        .await
        .map_err(err)?
}

/// Asks for a folder with the native dialog and copies the finished tracks
/// there; `None` when the dialog was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_tracks(
    state: State<'_, AppState>,
    track_ids: Vec<i64>,
) -> CmdResult<Option<ExportReport>> {
    let Some(folder) = rfd::AsyncFileDialog::new()
        .set_title("Export tracks to…")
        .pick_folder()
        .await
    else {
        return Ok(None);
    };
    export_tracks_to(state, track_ids, folder.path().display().to_string())
        .await
        .map(Some)
}

/// Copies the finished tracks into `folder` (no dialog).
#[tauri::command]
#[specta::specta]
pub async fn export_tracks_to(
    state: State<'_, AppState>,
    track_ids: Vec<i64>,
    folder: String,
) -> CmdResult<ExportReport> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || {
        studio
            .export_tracks(&track_ids, &PathBuf::from(folder))
            .map_err(err)
    })
    .await
    .map_err(err)?
}

/// Shows a finished track's file in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_track(state: State<'_, AppState>, track_id: i64) -> CmdResult<()> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let path = t
        .output_path
        .ok_or_else(|| format!("track {track_id} has no file yet"))?;
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| format!("{path}: {e}"))
}

/// Audio files dropped into the studio, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_inputs(state: State<'_, AppState>) -> CmdResult<Vec<InputRow>> {
    state.studio.store().inputs().map_err(err)
}
