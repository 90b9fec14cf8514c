//! The commands the UI calls. Each is a thin call into the core; errors come
//! back as one readable line (never a panic across the IPC boundary).

use std::path::PathBuf;

use intone_core::audio::encode::Format;
use intone_core::audio::peaks::Peaks;
use intone_core::engines::VoiceInfo;
use intone_core::store::{BatchRow, TrackRow};
use intone_core::studio::ScriptPreview;
use intone_core::variants::Variant;
use intone_core::GenerateRequest;
use serde::{Deserialize, Serialize};
use tauri::{Emitter, State, Window, WindowEvent};

use crate::playback::PlaybackState;
use crate::AppState;

type CmdResult<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Facts about the running app.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// Intone's version.
    pub version: String,
    /// The home folder.
    pub home: String,
    /// Why audio cannot play here, if it cannot.
    pub audio_error: Option<String>,
    /// Problems with engines.toml and the like.
    pub warnings: Vec<String>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        home: state.studio.home().root().display().to_string(),
        audio_error: state.player.state().error,
        warnings: state.studio.engines().warnings.clone(),
    }
}

/// Voices and the default one.
#[derive(Debug, Serialize)]
pub struct Voices {
    /// Every voice of every engine.
    pub voices: Vec<VoiceInfo>,
    /// The voice used when none is picked.
    pub default: String,
}

#[tauri::command]
pub async fn list_voices(state: State<'_, AppState>) -> CmdResult<Voices> {
    let studio = state.studio.clone();
    // Engines may ask local servers over HTTP: keep it off the async threads.
    tauri::async_runtime::spawn_blocking(move || Voices {
        voices: studio.voices(),
        default: studio.engines().default_voice(),
    })
    .await
    .map_err(err)
}

#[tauri::command]
pub fn list_variants(state: State<'_, AppState>) -> Vec<Variant> {
    state.studio.variants().0
}

#[tauri::command]
pub fn preview_script(
    state: State<'_, AppState>,
    name: String,
    text: String,
) -> CmdResult<ScriptPreview> {
    state.studio.preview_script(&name, &text).map_err(err)
}

/// A script file's name and text.
#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct ScriptFile {
    /// File name.
    pub name: String,
    /// Its text.
    pub text: String,
}

#[tauri::command]
pub fn read_script_file(path: String) -> CmdResult<ScriptFile> {
    let p = PathBuf::from(&path);
    let bytes = std::fs::read(&p).map_err(|e| format!("{path}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{path}: not a UTF-8 text file"))?;
    Ok(ScriptFile {
        name: p
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned()),
        text,
    })
}

#[tauri::command]
pub async fn pick_script_files() -> CmdResult<Vec<ScriptFile>> {
    let files = rfd::AsyncFileDialog::new()
        .set_title("Open scripts")
        .add_filter("Scripts", &["md", "markdown", "txt"])
        .pick_files()
        .await
        .unwrap_or_default();
    files
        .iter()
        .map(|f| read_script_file(f.path().display().to_string()))
        .collect()
}

/// What Generate sends.
#[derive(Debug, Deserialize)]
pub struct GenerateArgs {
    /// Scripts by name and text (pasted, dropped or opened).
    pub scripts: Vec<ScriptFile>,
    /// Voice id; empty = default.
    pub voice: Option<String>,
    /// Variant names.
    pub variants: Vec<String>,
    /// `wav` or `flac`.
    pub format: String,
}

#[tauri::command]
pub async fn generate(state: State<'_, AppState>, args: GenerateArgs) -> CmdResult<i64> {
    let studio = state.studio.clone();
    let id = tauri::async_runtime::spawn_blocking(move || -> CmdResult<i64> {
        let mut paths = Vec::new();
        for s in &args.scripts {
            paths.push(studio.save_script(&s.name, &s.text).map_err(err)?);
        }
        let req = GenerateRequest {
            scripts: paths,
            voice: args.voice.filter(|v| !v.is_empty()),
            variants: args.variants,
            format: args.format.parse::<Format>().map_err(err)?,
            ..Default::default()
        };
        let plan = studio.plan(&req).map_err(err)?;
        studio.create_batch(&plan).map_err(err)
    })
    .await
    .map_err(err)??;
    let studio = state.studio.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = studio.run_batch(id).await {
            tracing::error!("batch {id}: {e}");
        }
    });
    Ok(id)
}

#[tauri::command]
pub fn list_batches(state: State<'_, AppState>) -> CmdResult<Vec<BatchRow>> {
    state.studio.store().batches().map_err(err)
}

#[tauri::command]
pub fn list_tracks(state: State<'_, AppState>, batch_id: i64) -> CmdResult<Vec<TrackRow>> {
    state.studio.tracks(batch_id).map_err(err)
}

#[tauri::command]
pub fn cancel_batch(state: State<'_, AppState>, batch_id: i64) -> CmdResult<BatchRow> {
    state.studio.cancel(batch_id).map_err(err)
}

#[tauri::command]
pub async fn retry_batch(state: State<'_, AppState>, batch_id: i64) -> CmdResult<()> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = studio.retry(batch_id).await {
            tracing::error!("retry of batch {batch_id}: {e}");
        }
    });
    Ok(())
}

#[tauri::command]
pub fn track_peaks(state: State<'_, AppState>, track_id: i64) -> CmdResult<Peaks> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let path = t
        .peaks_path
        .ok_or_else(|| format!("track {track_id} has no waveform yet"))?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))
}

#[tauri::command]
pub fn play(
    state: State<'_, AppState>,
    track_id: i64,
    from_ms: Option<u64>,
) -> CmdResult<PlaybackState> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let path = t
        .output_path
        .ok_or_else(|| format!("track {track_id} is not finished"))?;
    state
        .player
        .play(track_id, PathBuf::from(path), from_ms.unwrap_or(0));
    Ok(state.player.state())
}

#[tauri::command]
pub fn pause(state: State<'_, AppState>) -> PlaybackState {
    state.player.pause();
    state.player.state()
}

#[tauri::command]
pub fn seek(state: State<'_, AppState>, ms: u64) -> PlaybackState {
    state.player.seek(ms);
    state.player.state()
}

#[tauri::command]
pub fn playback_state(state: State<'_, AppState>) -> PlaybackState {
    state.player.state()
}

/// Files dropped on the window, by kind, for the UI to act on.
#[derive(Debug, Serialize, Clone, Default)]
pub struct Dropped {
    /// Script files (.md, .txt) with their text.
    pub scripts: Vec<ScriptFile>,
    /// Files Intone cannot use, with the reason.
    pub rejected: Vec<String>,
}

/// Drag-and-drop onto the window: scripts are read and sent to the UI.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
        let mut d = Dropped::default();
        for p in paths {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ["md", "markdown", "txt"].contains(&ext.as_str()) {
                match read_script_file(p.display().to_string()) {
                    Ok(f) => d.scripts.push(f),
                    Err(e) => d.rejected.push(e),
                }
            } else {
                d.rejected
                    .push(format!("{}: not a script (.md or .txt)", p.display()));
            }
        }
        let _ = window.emit("intone://dropped", d);
    }
}
