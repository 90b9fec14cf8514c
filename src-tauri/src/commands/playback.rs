//! Playback of finished tracks: play, pause, seek, state, waveform peaks.

use std::path::PathBuf;

use intone_core::audio::peaks::Peaks;
use tauri::State;

use super::{err, CmdResult};
use crate::playback::{PlaybackState, Source};
use crate::AppState;

/// A finished track's stored waveform peaks.
#[tauri::command]
#[specta::specta]
pub fn track_peaks(state: State<'_, AppState>, track_id: i64) -> CmdResult<Peaks> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let path = t
        .peaks_path
        .ok_or_else(|| format!("track {track_id} has no waveform yet"))?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// Plays a finished track from `from_ms` (default: the start); returns the
/// state once audio has started (or with `error` set when it cannot).
#[tauri::command]
#[specta::specta]
pub async fn play(
    state: State<'_, AppState>,
    track_id: i64,
    from_ms: Option<u32>,
) -> CmdResult<PlaybackState> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let path = t
        .output_path
        .ok_or_else(|| format!("track {track_id} is not finished"))?;
    let player = state.player.clone();
    let from_ms = u64::from(from_ms.unwrap_or(0));
    off_ui(move || player.play(Source::Track(track_id), PathBuf::from(path), from_ms)).await
}

/// Pauses playback; returns the state after the pause.
#[tauri::command]
#[specta::specta]
pub async fn pause(state: State<'_, AppState>) -> CmdResult<PlaybackState> {
    let player = state.player.clone();
    off_ui(move || player.pause()).await
}

/// Moves the play head, ms; returns the state after the move.
#[tauri::command]
#[specta::specta]
pub async fn seek(state: State<'_, AppState>, ms: u32) -> CmdResult<PlaybackState> {
    let player = state.player.clone();
    off_ui(move || player.seek(u64::from(ms))).await
}

/// Runs a player call on a blocking thread (it waits for the audio thread).
async fn off_ui(f: impl FnOnce() -> PlaybackState + Send + 'static) -> CmdResult<PlaybackState> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| format!("playback: {e}"))
}

/// What the player is doing now.
#[tauri::command]
#[specta::specta]
pub fn playback_state(state: State<'_, AppState>) -> PlaybackState {
    state.player.state()
}
