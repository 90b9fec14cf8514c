//! Engines settings: local TTS servers in `engines.toml`.

use intone_core::engines::http::config::EngineConfig;
use intone_core::engines::http::Health;
use serde::Serialize;
use tauri::State;

use super::{err, CmdResult};
use crate::AppState;

/// One configured engine.
#[derive(Debug, Serialize, specta::Type)]
pub struct EngineEntry {
    /// Name (the prefix of its voice ids).
    pub name: String,
    /// Its settings.
    pub config: EngineConfig,
}

/// Configured HTTP engines, by name.
#[tauri::command]
#[specta::specta]
pub fn list_engines(state: State<'_, AppState>) -> CmdResult<Vec<EngineEntry>> {
    let file = state.studio.engines_file().map_err(err)?;
    Ok(file
        .engines
        .into_iter()
        .map(|(name, config)| EngineEntry { name, config })
        .collect())
}

/// Adds an engine (its voices appear at once).
#[tauri::command]
#[specta::specta]
pub fn add_engine(state: State<'_, AppState>, name: String, config: EngineConfig) -> CmdResult<()> {
    state.studio.add_engine(&name, config).map_err(err)
}

/// Removes an engine.
#[tauri::command]
#[specta::specta]
pub fn remove_engine(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    state.studio.remove_engine(&name).map_err(err)
}

/// Asks an engine's servers whether they answer, and counts its voices.
#[tauri::command]
#[specta::specta]
pub async fn test_engine(state: State<'_, AppState>, name: String) -> CmdResult<Health> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || studio.test_engine(&name).map_err(err))
        .await
        .map_err(err)?
}
