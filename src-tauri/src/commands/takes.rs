//! A speech track's takes in the app: the sentence list with every take
//! and what the recognizer heard, ▶ for one take, A/B (two takes back to
//! back), **Use this take** (the track is remade from cached clips), and
//! the favourite mark.

use std::path::PathBuf;

use intone_core::studio::SentenceTakes;
use tauri::State;

use super::{err, CmdResult};
use crate::playback::{PlaybackState, Source};
use crate::AppState;

/// A speech track's sentences and their takes.
#[tauri::command]
#[specta::specta]
pub async fn sentence_takes(
    state: State<'_, AppState>,
    track_id: i64,
) -> CmdResult<Vec<SentenceTakes>> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || studio.sentence_takes(track_id))
        .await
        .map_err(err)?
        .map_err(err)
}

/// Uses take `take` of sentence `sentence` (both 0-based) and remakes the
/// track in the background (reassembled from cached clips; nothing is
/// spoken); progress arrives as batch events. Returns the batch id.
#[tauri::command]
#[specta::specta]
pub async fn use_take(
    state: State<'_, AppState>,
    track_id: i64,
    sentence: u32,
    take: u32,
) -> CmdResult<i64> {
    super::record_and_start(&state, move |studio| {
        studio.use_take(track_id, sentence, take)
    })
    .await
}

/// Marks or unmarks a take as a favourite (pruning keeps favourites).
#[tauri::command]
#[specta::specta]
pub fn set_take_favourite(
    state: State<'_, AppState>,
    track_id: i64,
    sentence: u32,
    take: u32,
    favourite: bool,
) -> CmdResult<()> {
    state
        .studio
        .set_take_favourite(track_id, sentence, take, favourite)
        .map_err(err)
}

/// Plays the given takes of one sentence back to back (one take: ▶; two:
/// A/B). Returns the state once the first has started.
#[tauri::command]
#[specta::specta]
pub async fn play_takes(
    state: State<'_, AppState>,
    track_id: i64,
    sentence: u32,
    takes: Vec<u32>,
) -> CmdResult<PlaybackState> {
    let studio = state.studio.clone();
    let list = tauri::async_runtime::spawn_blocking(move || studio.sentence_takes(track_id))
        .await
        .map_err(err)?
        .map_err(err)?;
    let s = list
        .into_iter()
        .find(|s| s.index == sentence)
        .ok_or_else(|| format!("track {track_id} has no sentence {}", sentence + 1))?;
    let mut paths = Vec::new();
    for t in &takes {
        let path = s
            .takes
            .iter()
            .find(|x| x.take == *t)
            .and_then(|x| x.path.clone())
            .ok_or_else(|| format!("take {} of sentence {} is not kept", t + 1, sentence + 1))?;
        paths.push(PathBuf::from(path));
    }
    let Some((first, rest)) = paths.split_first() else {
        return Err("no take to play".into());
    };
    let source = Source::Preview(format!("take:{track_id}:{sentence}"));
    let player = state.player.clone();
    let (first, rest) = (first.clone(), rest.to_vec());
    tauri::async_runtime::spawn_blocking(move || {
        let st = player.play(source.clone(), first, 0);
        for p in rest {
            player.append(source.clone(), p);
        }
        st
    })
    .await
    .map_err(err)
}
