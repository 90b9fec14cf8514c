//! Scenes view: load a video (its duration is the target), read a pasted
//! or imported scene list, Generate score (a `scenes` batch), the score with
//! its scenes, play one scene's take, regenerate one scene, export the
//! score and the scored video.

use std::path::PathBuf;

use intone_core::audio::video;
use intone_core::script::scenes::{self, SceneList};
use intone_core::studio::{SceneChange, ScoreRequest, ScoreView};
use serde::Serialize;
use tauri::State;

use super::{err, CmdResult};
use crate::playback::{PlaybackState, Source};
use crate::AppState;

/// A video to score.
#[derive(Debug, Serialize, specta::Type)]
pub struct VideoInfo {
    /// Its path.
    pub path: String,
    /// Its file name.
    pub name: String,
    /// Its duration, ms.
    pub duration_ms: u32,
}

fn video_info_of(path: PathBuf) -> CmdResult<VideoInfo> {
    let duration_ms = video::video_duration_ms(&path).map_err(err)?;
    Ok(VideoInfo {
        name: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        path: path.display().to_string(),
        duration_ms,
    })
}

/// Reads a video's duration (ffprobe).
#[tauri::command]
#[specta::specta]
pub async fn video_info(path: String) -> CmdResult<VideoInfo> {
    tauri::async_runtime::spawn_blocking(move || video_info_of(PathBuf::from(path.trim())))
        .await
        .map_err(err)?
}

/// Opens a video with the native dialog (`None` when cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_video() -> CmdResult<Option<VideoInfo>> {
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Load a video to score")
        .add_filter("Video", video::VIDEO_EXTENSIONS)
        .pick_file()
        .await
    else {
        return Ok(None);
    };
    let path = file.path().to_path_buf();
    tauri::async_runtime::spawn_blocking(move || video_info_of(path).map(Some))
        .await
        .map_err(err)?
}

/// Reads a scene list: pasted text (TOML, CSV or Markdown, told apart by
/// their look), or a file's text with its name (by its extension).
#[tauri::command]
#[specta::specta]
pub fn read_scene_list(name: Option<String>, text: String) -> CmdResult<SceneList> {
    let ext = name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let r = match ext.as_deref() {
        Some("toml") => scenes::parse_toml(&text),
        Some("csv") => scenes::parse_csv(&text),
        Some("md" | "markdown" | "txt") => scenes::parse_markdown(&text),
        _ => scenes::parse_text(&text),
    };
    r.map_err(|e| match name {
        Some(n) => format!("{n}: {e}"),
        None => e.to_string(),
    })
}

/// Opens a scene list file with the native dialog and reads it.
#[tauri::command]
#[specta::specta]
pub async fn pick_scene_list() -> CmdResult<Option<SceneList>> {
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Import a scene list")
        .add_filter("Scene lists", &["toml", "md", "markdown", "csv", "txt"])
        .pick_file()
        .await
    else {
        return Ok(None);
    };
    let path = file.path().to_path_buf();
    tauri::async_runtime::spawn_blocking(move || scenes::read_file(&path).map(Some).map_err(err))
        .await
        .map_err(err)?
}

/// Records a score's batch (before any work) and starts it. Returns the batch id.
#[tauri::command]
#[specta::specta]
pub async fn make_score(state: State<'_, AppState>, order: ScoreRequest) -> CmdResult<i64> {
    super::record_and_start(&state, move |studio| studio.create_scenes_batch(&order)).await
}

/// A score with its scenes' states, starts and takes.
#[tauri::command]
#[specta::specta]
pub fn score_view(state: State<'_, AppState>, track_id: i64) -> CmdResult<ScoreView> {
    state.studio.score(track_id).map_err(err)
}

/// Regenerates one scene (new seed, or new prompt) and starts the run; the
/// other scenes are reused. Returns the batch id.
#[tauri::command]
#[specta::specta]
pub async fn regenerate_scene(
    state: State<'_, AppState>,
    track_id: i64,
    number: u32,
    change: SceneChange,
) -> CmdResult<i64> {
    super::record_and_start(&state, move |studio| {
        studio.regenerate_scene(track_id, number, &change)
    })
    .await
}

/// Plays scene `number`'s own take (handles included) from its start.
#[tauri::command]
#[specta::specta]
pub async fn play_scene(
    state: State<'_, AppState>,
    track_id: i64,
    number: u32,
) -> CmdResult<PlaybackState> {
    let score = state.studio.score(track_id).map_err(err)?;
    let path = score
        .scenes
        .iter()
        .find(|s| s.number == number)
        .and_then(|s| s.take_path.clone())
        .ok_or_else(|| format!("scene {number} has no take yet"))?;
    let player = state.player.clone();
    tauri::async_runtime::spawn_blocking(move || {
        player.play(
            Source::Preview(format!("scene:{track_id}:{number}")),
            PathBuf::from(path),
            0,
        )
    })
    .await
    .map_err(err)
}

/// Writes a copy of the score's video with the score as its audio, beside
/// the score (`<video> (scored).<ext>`). Returns where.
#[tauri::command]
#[specta::specta]
pub async fn export_scored_video(state: State<'_, AppState>, track_id: i64) -> CmdResult<String> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || {
        studio
            .export_scored_video(track_id, None)
            .map(|p| p.display().to_string())
            .map_err(err)
    })
    .await
    .map_err(err)?
}

/// Saves the score as WAV or FLAC where the native dialog says (`None`
/// when cancelled). Returns where.
#[tauri::command]
#[specta::specta]
pub async fn export_score(state: State<'_, AppState>, track_id: i64) -> CmdResult<Option<String>> {
    let title = state.studio.store().track(track_id).map_err(err)?.title;
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Export the score")
        .set_file_name(format!("{title}.flac"))
        .add_filter("FLAC", &["flac"])
        .add_filter("WAV", &["wav"])
        .save_file()
        .await
    else {
        return Ok(None);
    };
    let studio = state.studio.clone();
    let path = file.path().to_path_buf();
    tauri::async_runtime::spawn_blocking(move || {
        studio
            .export_score(track_id, &path)
            .map(|p| Some(p.display().to_string()))
            .map_err(err)
    })
    .await
    .map_err(err)?
}
