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

/// Plays a finished track from `from_ms` (default: the start).
#[tauri::command]
#[specta::specta]
pub fn play(
    state: State<'_, AppState>,
    track_id: i64,
    from_ms: Option<u32>,
) -> CmdResult<PlaybackState> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let path = t
        .output_path
        .ok_or_else(|| format!("track {track_id} is not finished"))?;
    state.player.play(
        Source::Track(track_id),
        PathBuf::from(path),
        u64::from(from_ms.unwrap_or(0)),
    );
    Ok(state.player.state())
}

/// Pauses playback.
#[tauri::command]
#[specta::specta]
pub fn pause(state: State<'_, AppState>) -> PlaybackState {
    state.player.pause();
    state.player.state()
}

/// Moves the play head, ms.
#[tauri::command]
#[specta::specta]
pub fn seek(state: State<'_, AppState>, ms: u32) -> PlaybackState {
    state.player.seek(u64::from(ms));
    state.player.state()
}

/// What the player is doing now.
#[tauri::command]
#[specta::specta]
pub fn playback_state(state: State<'_, AppState>) -> PlaybackState {
    state.player.state()
}
