//! Playback of finished tracks: play, pause, seek, state, waveform peaks.

use std::path::{Path, PathBuf};

use intone_core::audio::peaks::Peaks;
use tauri::State;

use super::{err, CmdResult};
use crate::playback::{PlayOpts, PlaybackState, Source};
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
    // A loop take repeats end to start, as it will in a game or a sampler.
    let looped = state
        .studio
        .store()
        .music_facts(track_id)
        .map_err(err)?
        .is_some_and(|f| f.loop_frames.is_some());
    let player = state.player.clone();
    let from_ms = u64::from(from_ms.unwrap_or(0));
    let opts = PlayOpts {
        gain_db: 0.0,
        looped,
    };
    off_ui(move || player.play_with(Source::Track(track_id), PathBuf::from(path), from_ms, opts))
        .await
}

/// Plays take `a`, then take `b`, matched in loudness: the louder one is
/// turned down to the quieter one's integrated loudness (never up, so
/// nothing clips). Returns the state once `a` has started.
#[tauri::command]
#[specta::specta]
pub async fn play_ab(state: State<'_, AppState>, a: i64, b: i64) -> CmdResult<PlaybackState> {
    let store = state.studio.store();
    let mut parts = Vec::new();
    for id in [a, b] {
        let t = store.track(id).map_err(err)?;
        let path = t
            .output_path
            .filter(|_| t.status == intone_core::store::TrackStatus::Completed)
            .ok_or_else(|| format!("take {id} is not finished"))?;
        parts.push((PathBuf::from(path), t.loudness_lufs.unwrap_or(0.0)));
    }
    let quietest = parts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let source = Source::Preview(format!("ab:{a}:{b}"));
    let player = state.player.clone();
    off_ui(move || {
        let mut st = PlaybackState::default();
        for (i, (path, lufs)) in parts.into_iter().enumerate() {
            let gain_db = (quietest - lufs) as f32;
            st = if i == 0 {
                let opts = PlayOpts {
                    gain_db,
                    looped: false,
                };
                player.play_with(source.clone(), path, 0, opts)
            } else {
                player.append_with(source.clone(), path, gain_db)
            };
        }
        st
    })
    .await
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

/// Speaks a preview on a blocking thread and plays it as `source`: `speak`
/// hands each part it renders to its callback; the first part starts
/// playing at once and later ones queue behind it. Returns the state once
/// playback started, or `speak`'s error when it failed before any part.
///
/// # Errors
/// `speak`'s error as one line (a later part's failure is only logged).
pub async fn play_preview<F>(state: &AppState, source: Source, speak: F) -> CmdResult<PlaybackState>
where
    F: FnOnce(&intone_core::Studio, &mut dyn FnMut(&Path)) -> intone_core::Result<()>
        + Send
        + 'static,
{
    let studio = state.studio.clone();
    let player = state.player.clone();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    tauri::async_runtime::spawn_blocking(move || {
        let label = format!("{source:?}");
        let mut started_tx = Some(started_tx);
        let mut on_part = |path: &Path| match started_tx.take() {
            Some(tx) => {
                let _ = tx.send(Ok(player.play(source.clone(), path.to_path_buf(), 0)));
            }
            None => {
                player.append(source.clone(), path.to_path_buf());
            }
        };
        if let Err(e) = speak(&studio, &mut on_part) {
            match started_tx.take() {
                Some(tx) => {
                    let _ = tx.send(Err(err(e)));
                }
                None => tracing::warn!("preview {label}: {e}"),
            }
        }
    });
    started_rx
        .await
        .map_err(|_| "preview stopped before it could play".to_string())?
}
