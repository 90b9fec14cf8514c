//! Convert view: converters, picking audio, a 10-second preview, Convert,
//! and playing a converted track's original (A/B).

use std::path::PathBuf;

use intone_core::audio::encode::{Delivery, Format};
use intone_core::engines::conversion::{ConverterInfo, Settings};
use intone_core::store::InputRow;
use intone_core::studio::{AlreadyConverted, ConvertRequest, WatchFolder};
use intone_core::Studio;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{err, CmdResult};
use crate::playback::{PlaybackState, Source};
use crate::AppState;

/// Every converter with its settings and whether it can run now.
#[tauri::command]
#[specta::specta]
pub fn list_converters(state: State<'_, AppState>) -> Vec<ConverterInfo> {
    state.studio.reload_converters();
    state.studio.converters()
}

/// Audio files picked in the native dialog, kept as inputs.
#[derive(Debug, Serialize, Deserialize, Default, specta::Type)]
pub struct PickedAudio {
    /// Files kept as inputs.
    pub inputs: Vec<InputRow>,
    /// Files Intone cannot use, each with the reason.
    pub rejected: Vec<String>,
}

/// Opens audio files with the native dialog (empty when cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_audio_files(state: State<'_, AppState>) -> CmdResult<PickedAudio> {
    let files = rfd::AsyncFileDialog::new()
        .set_title("Open recordings")
        .add_filter("Audio and video", intone_core::library::INPUT_EXTENSIONS)
        .pick_files()
        .await
        .unwrap_or_default();
    let studio = state.studio.clone();
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path().to_path_buf()).collect();
    tauri::async_runtime::spawn_blocking(move || {
        let mut p = PickedAudio::default();
        for path in paths {
            match studio.keep_input(&path) {
                Ok(row) => p.inputs.push(row),
                Err(e) => p.rejected.push(e.to_string()),
            }
        }
        p
    })
    .await
    .map_err(err)
}

/// What Convert sends.
#[derive(Debug, Deserialize, specta::Type)]
pub struct ConvertArgs {
    /// Inputs by hash (picked or dropped).
    pub inputs: Vec<String>,
    /// Converter name; none = the built-in one.
    pub converter: Option<String>,
    /// Converter settings.
    pub settings: Settings,
    /// `wav` or `flac`.
    pub format: String,
    /// Loudness target, LUFS.
    pub target_lufs: f64,
    /// Convert again what was converted before with the same settings.
    pub force: bool,
}

/// What Convert (or Transcribe) started.
#[derive(Debug, Serialize, specta::Type)]
pub struct ConvertStarted {
    /// The new batch, when anything was new.
    pub batch_id: Option<i64>,
    /// Inputs converted before with the same settings, with their results.
    pub already: Vec<AlreadyConverted>,
    /// Inputs that cannot be converted, one line each.
    pub rejected: Vec<String>,
}

pub(super) fn input_paths(state: &AppState, hashes: &[String]) -> CmdResult<Vec<PathBuf>> {
    hashes
        .iter()
        .map(|h| {
            state
                .studio
                .store()
                .input(h)
                .map_err(err)?
                .map(|row| PathBuf::from(row.path))
                .ok_or_else(|| format!("input {h} is no longer stored; drop the file again"))
        })
        .collect()
}

/// Records a conversion batch (before any work) and starts it.
#[tauri::command]
#[specta::specta]
pub async fn convert(state: State<'_, AppState>, args: ConvertArgs) -> CmdResult<ConvertStarted> {
    let files = input_paths(&state, &args.inputs)?;
    start_files(&state, move |studio| {
        let req = ConvertRequest {
            files,
            converter: args.converter.filter(|c| !c.is_empty()),
            settings: args.settings,
            delivery: Delivery {
                format: args.format.parse::<Format>().map_err(err)?,
                target_lufs: Some(args.target_lufs),
                ..Delivery::default()
            },
            force: args.force,
            ..Default::default()
        };
        let plan = studio.plan_conversion(&req).map_err(err)?;
        let batch_id = studio.create_conversion_batch(&plan).map_err(err)?;
        Ok(ConvertStarted {
            batch_id,
            already: plan.already,
            rejected: plan.rejected,
        })
    })
    .await
}

/// Plans and records a batch made from files off the async runtime (`plan`
/// keeps inputs and writes the store), then starts it in the background.
pub(super) async fn start_files(
    state: &AppState,
    plan: impl FnOnce(&Studio) -> CmdResult<ConvertStarted> + Send + 'static,
) -> CmdResult<ConvertStarted> {
    let studio = state.studio.clone();
    let started = tauri::async_runtime::spawn_blocking(move || plan(&studio))
        .await
        .map_err(err)??;
    if let Some(id) = started.batch_id {
        super::run_in_background(state, id);
    }
    Ok(started)
}

/// Converts the first 10 s of an input with the given converter and plays it.
#[tauri::command]
#[specta::specta]
pub async fn preview_conversion(
    state: State<'_, AppState>,
    input: String,
    converter: Option<String>,
    settings: Settings,
) -> CmdResult<PlaybackState> {
    let path = input_paths(&state, std::slice::from_ref(&input))?.remove(0);
    let studio = state.studio.clone();
    let preview = tauri::async_runtime::spawn_blocking(move || {
        studio
            .preview_conversion(
                &path,
                converter.as_deref().filter(|c| !c.is_empty()),
                &settings,
            )
            .map_err(err)
    })
    .await
    .map_err(err)??;
    let player = state.player.clone();
    tauri::async_runtime::spawn_blocking(move || {
        player.play(Source::Preview(format!("convert:{input}")), preview, 0)
    })
    .await
    .map_err(|e| format!("playback: {e}"))
}

/// Plays the original input of a converted track from `from_ms` (A/B).
#[tauri::command]
#[specta::specta]
pub async fn play_original(
    state: State<'_, AppState>,
    track_id: i64,
    from_ms: Option<u32>,
) -> CmdResult<PlaybackState> {
    let t = state.studio.store().track(track_id).map_err(err)?;
    let hash = t
        .input_hash
        .ok_or_else(|| format!("track {track_id} has no original (it was not converted)"))?;
    let path = input_paths(&state, &[hash])?.remove(0);
    let player = state.player.clone();
    let from_ms = u64::from(from_ms.unwrap_or(0));
    tauri::async_runtime::spawn_blocking(move || {
        player.play(Source::Original(track_id), path, from_ms)
    })
    .await
    .map_err(|e| format!("playback: {e}"))
}

/// Every watched folder with its settings.
#[tauri::command]
#[specta::specta]
pub fn list_watch_folders(state: State<'_, AppState>) -> CmdResult<Vec<WatchFolder>> {
    state.studio.watch_folders().map_err(err)
}

/// Picks a folder with the native dialog and watches it with these
/// settings; `None` when the dialog was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn add_watch_folder(
    state: State<'_, AppState>,
    args: ConvertArgs,
) -> CmdResult<Option<WatchFolder>> {
    let Some(dir) = rfd::AsyncFileDialog::new()
        .set_title("Watch a folder for recordings")
        .pick_folder()
        .await
    else {
        return Ok(None);
    };
    let req = ConvertRequest {
        converter: args.converter.filter(|c| !c.is_empty()),
        settings: args.settings,
        delivery: Delivery {
            format: args.format.parse::<Format>().map_err(err)?,
            target_lufs: Some(args.target_lufs),
            ..Delivery::default()
        },
        ..Default::default()
    };
    state
        .studio
        .add_watch_folder(dir.path(), &req)
        .map(Some)
        .map_err(err)
}

/// Stops watching a folder (its files stay where they are).
#[tauri::command]
#[specta::specta]
pub fn remove_watch_folder(state: State<'_, AppState>, path: String) -> CmdResult<()> {
    state.studio.remove_watch_folder(&path).map_err(err)
}
