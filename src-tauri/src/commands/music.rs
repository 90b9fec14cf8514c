//! Music view: the engines and vocabulary, Generate (a `music` batch), the
//! gallery page, collections, and using a take as a variant's bed.

use intone_core::kinds::music::MusicRecipe;
use intone_core::store::{InputRow, JobKind, LibraryFilter, LibraryItem};
use intone_core::studio::{MusicCatalog, TakesRequest};
use serde::Serialize;
use tauri::State;

use super::{err, CmdResult};
use crate::AppState;

/// The music engines with their parameters, and the composer's vocabulary.
#[tauri::command]
#[specta::specta]
pub fn music_catalog(state: State<'_, AppState>) -> MusicCatalog {
    state.studio.music_catalog()
}

/// Records a music batch (every take, before any work) and starts it.
/// Returns the batch id.
#[tauri::command]
#[specta::specta]
pub async fn make_music(state: State<'_, AppState>, order: TakesRequest) -> CmdResult<i64> {
    super::record_and_start(&state, move |studio| {
        let plan = studio.plan_music(&order)?;
        studio.create_music_batch(&plan)
    })
    .await
}

/// One take of the gallery: its row and how it was made.
#[derive(Debug, Serialize, specta::Type)]
pub struct GalleryTake {
    /// The take as the Library lists it.
    pub item: LibraryItem,
    /// Prompt, engine, model, parameters, seed, words understood.
    pub recipe: Option<MusicRecipe>,
}

/// One page of the gallery.
#[derive(Debug, Serialize, specta::Type)]
pub struct GalleryPage {
    /// The takes on this page, newest first.
    pub takes: Vec<GalleryTake>,
    /// Takes matching the filter in all.
    pub total: u32,
}

/// Takes matching `filter` (its kind is always music), one page.
#[tauri::command]
#[specta::specta]
pub fn music_gallery(state: State<'_, AppState>, filter: LibraryFilter) -> CmdResult<GalleryPage> {
    let filter = LibraryFilter {
        kind: Some(JobKind::Music),
        ..filter
    };
    let studio = &state.studio;
    let takes = studio
        .store()
        .library(&filter)
        .map_err(err)?
        .into_iter()
        .map(|item| GalleryTake {
            recipe: studio.take_recipe(item.track.id).ok(),
            item,
        })
        .collect();
    Ok(GalleryPage {
        takes,
        total: studio.store().library_count(&filter).map_err(err)? as u32,
    })
}

/// Records a new take with take `track_id`'s settings and a new seed, and
/// starts it. Returns the batch id.
#[tauri::command]
#[specta::specta]
pub async fn regenerate_take(state: State<'_, AppState>, track_id: i64) -> CmdResult<i64> {
    super::record_and_start(&state, move |studio| studio.regenerate(track_id, None)).await
}

/// Puts takes in a collection (`None` or empty takes them out).
#[tauri::command]
#[specta::specta]
pub fn set_collection(
    state: State<'_, AppState>,
    track_ids: Vec<i64>,
    collection: Option<String>,
) -> CmdResult<()> {
    state
        .studio
        .set_collection(&track_ids, collection.as_deref())
        .map_err(err)
}

/// Makes a sleep variant whose bed is this take
/// (`variants/sleep-take-<id>.toml`) and returns its name, ready for the next
/// speech batch.
#[tauri::command]
#[specta::specta]
pub fn use_as_bed(state: State<'_, AppState>, track_id: i64) -> CmdResult<String> {
    state.studio.variant_from_take(track_id).map_err(err)
}

/// Asks for an audio file to continue (any format Intone reads) and keeps
/// it as an input. `None` when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pick_audio(state: State<'_, AppState>) -> CmdResult<Option<InputRow>> {
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Continue an audio file")
        .add_filter("Audio", intone_core::library::INPUT_EXTENSIONS)
        .pick_file()
        .await
    else {
        return Ok(None);
    };
    let studio = state.studio.clone();
    let path = file.path().to_path_buf();
    tauri::async_runtime::spawn_blocking(move || studio.add_input(&path))
        .await
        .map_err(err)?
        .map(Some)
        .map_err(err)
}

/// Largest spectrogram image sent to the window, bytes.
const MAX_SPECTROGRAM_BYTES: u64 = 4 * 1024 * 1024;

/// Spectrogram image `index` (0-based) of take `track_id` (a Riffusion
/// take's clips) as a `data:image/…;base64,` URI for the gallery.
#[tauri::command]
#[specta::specta]
pub fn take_spectrogram(
    state: State<'_, AppState>,
    track_id: i64,
    index: u32,
) -> CmdResult<String> {
    use base64::Engine as _;
    let facts = state.studio.store().music_facts(track_id).map_err(err)?;
    let path = facts
        .and_then(|f| f.spectrograms.get(index as usize).cloned())
        .ok_or_else(|| format!("take {track_id} has no spectrogram {}", index + 1))?;
    let size = std::fs::metadata(&path)
        .map_err(|e| format!("{path}: {e}"))?
        .len();
    if size > MAX_SPECTROGRAM_BYTES {
        return Err(format!("{path}: {size} bytes is too large to show"));
    }
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let mime = if path.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}
