//! The speech recognizer in the app: the batch view's flagged sentences,
//! **Regenerate sentence**, recordings transcribed without converting them,
//! and a recording's transcript.

use intone_core::audio::encode::{Delivery, Format};
use intone_core::recognize::transcript::TranscriptLine;
use intone_core::studio::{TrackCheck, TranscribeRequest};
use serde::Deserialize;
use tauri::State;

use super::convert::{input_paths, start_files, ConvertStarted};
use super::{err, CmdResult};
use crate::AppState;

/// A Transcribe click.
#[derive(Debug, Deserialize, specta::Type)]
pub struct TranscribeArgs {
    /// Inputs by hash (picked or dropped).
    pub inputs: Vec<String>,
    /// `wav`, `flac`, `mp3` or `opus`: the delivered copy's format.
    pub format: String,
    /// Loudness target of the copy, LUFS.
    pub target_lufs: f64,
    /// Transcribe again what was transcribed before with the same settings.
    pub force: bool,
}

/// Records a transcription batch (before any work) and starts it: each
/// recording heard by the speech recognizer, nothing converted.
#[tauri::command]
#[specta::specta]
pub async fn transcribe(
    state: State<'_, AppState>,
    args: TranscribeArgs,
) -> CmdResult<ConvertStarted> {
    let files = input_paths(&state, &args.inputs)?;
    start_files(&state, move |studio| {
        let req = TranscribeRequest {
            files,
            delivery: Delivery {
                format: args.format.parse::<Format>().map_err(err)?,
                target_lufs: Some(args.target_lufs),
                ..Delivery::default()
            },
            force: args.force,
            ..Default::default()
        };
        let plan = studio.plan_transcription(&req).map_err(err)?;
        let batch_id = studio.create_transcription_batch(&plan).map_err(err)?;
        Ok(ConvertStarted {
            batch_id,
            already: plan.already,
            rejected: plan.rejected,
        })
    })
    .await
}

/// What the recognizer heard in each sentence of a speech batch's tracks
/// (only what the check step already heard: no recognition runs here).
#[tauri::command]
#[specta::specta]
pub async fn batch_checks(state: State<'_, AppState>, batch_id: i64) -> CmdResult<Vec<TrackCheck>> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || studio.check_batch(batch_id, false))
        .await
        .map_err(err)?
        .map_err(err)
}

/// What best-of-N did in a batch: sentences retaken and still flagged.
#[tauri::command]
#[specta::specta]
pub fn batch_retakes(
    state: State<'_, AppState>,
    batch_id: i64,
) -> CmdResult<intone_core::studio::RetakeSummary> {
    state.studio.batch_retakes(batch_id).map_err(err)
}

/// Speaks utterance `index` (0-based, a sentence as the check numbers
/// them) of a speech track again and remakes the
/// track in the background; progress arrives as batch events.
#[tauri::command]
#[specta::specta]
pub async fn regenerate_utterance(
    state: State<'_, AppState>,
    track_id: i64,
    index: u32,
) -> CmdResult<i64> {
    let studio = state.studio.clone();
    let batch_id = studio.regenerate_utterance(track_id, index).map_err(err)?;
    tauri::async_runtime::spawn(async move {
        if let Err(e) = studio.run_batch(batch_id).await {
            tracing::error!("regenerating a sentence of track {track_id}: {e}");
        }
    });
    Ok(batch_id)
}

/// A converted recording's transcript lines (none when it has none).
#[tauri::command]
#[specta::specta]
pub fn track_transcript(
    state: State<'_, AppState>,
    track_id: i64,
) -> CmdResult<Option<Vec<TranscriptLine>>> {
    state.studio.transcript(track_id).map_err(err)
}
