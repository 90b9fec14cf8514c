//! Studio view: scripts, voices, variants, Generate, batches.

use std::path::PathBuf;

use intone_core::audio::encode::{Delivery, Format};
use intone_core::engines::VoiceInfo;
use intone_core::store::{BatchRow, TrackRow};
use intone_core::studio::{Plan, ScriptPreview};
use intone_core::variants::Variant;
use intone_core::GenerateRequest;
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{err, CmdResult};
use crate::AppState;

/// Voices and the default one.
#[derive(Debug, Serialize, specta::Type)]
pub struct Voices {
    /// Every voice of every engine.
    pub voices: Vec<VoiceInfo>,
    /// The voice used when none is picked.
    pub default: String,
    /// Engines that send a voice id they do not list to their server (the
    /// picker offers "Other voice id…" for them).
    pub accepts_unlisted: Vec<String>,
}

/// Every voice of every engine, with availability.
#[tauri::command]
#[specta::specta]
pub async fn list_voices(state: State<'_, AppState>) -> CmdResult<Voices> {
    let studio = state.studio.clone();
    // Engines may ask local servers over HTTP: keep it off the async threads.
    tauri::async_runtime::spawn_blocking(move || {
        let engines = studio.engines();
        Voices {
            voices: studio.voices(),
            default: engines.default_voice(),
            accepts_unlisted: engines.accepting_unlisted(),
        }
    })
    .await
    .map_err(err)
}

/// Built-in and user variants.
#[tauri::command]
#[specta::specta]
pub fn list_variants(state: State<'_, AppState>) -> Vec<Variant> {
    state.studio.variants().0
}

/// Sections, word counts and estimated durations of a script's text.
#[tauri::command]
#[specta::specta]
pub fn preview_script(
    state: State<'_, AppState>,
    name: String,
    text: String,
) -> CmdResult<ScriptPreview> {
    state.studio.preview_script(&name, &text).map_err(err)
}

/// A script file's name and text.
#[derive(Debug, Serialize, Deserialize, Clone, specta::Type)]
pub struct ScriptFile {
    /// File name.
    pub name: String,
    /// Its text.
    pub text: String,
    /// Which encoding was assumed when the file was not UTF-8
    /// (e.g. "read as Windows-1252 (Latin-1); the file is not UTF-8").
    #[serde(default)]
    pub encoding_note: Option<String>,
}

/// Reads a script file in any common text encoding; binary files are refused.
pub fn read_script_file(path: &std::path::Path) -> CmdResult<ScriptFile> {
    let decoded = intone_core::script::read_text_file(path).map_err(err)?;
    Ok(ScriptFile {
        name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        text: decoded.text,
        encoding_note: decoded.note,
    })
}

/// Opens scripts with the native file dialog (empty when cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_script_files() -> CmdResult<Vec<ScriptFile>> {
    let files = rfd::AsyncFileDialog::new()
        .set_title("Open scripts")
        .add_filter("Scripts", &intone_core::script::SCRIPT_EXTENSIONS)
        .pick_files()
        .await
        .unwrap_or_default();
    files.iter().map(|f| read_script_file(f.path())).collect()
}

/// What Generate sends.
#[derive(Debug, Deserialize, specta::Type)]
pub struct GenerateArgs {
    /// Scripts by name and text (pasted, dropped or opened).
    pub scripts: Vec<ScriptFile>,
    /// Voice id; empty = default.
    pub voice: Option<String>,
    /// Variant names.
    pub variants: Vec<String>,
    /// `wav`, `flac`, `mp3` or `opus`.
    pub format: String,
    /// Check every sentence with the speech recognizer.
    pub check: bool,
    /// Voices picked in the cast panel, by speaker: they override the
    /// script's own cast (saved cast, `cast.toml`, front matter).
    #[serde(default)]
    pub cast: Option<intone_core::cast::Cast>,
    /// Best of N for sentences the check flags (1 = off).
    #[serde(default)]
    pub best_of: Option<u32>,
    /// A book's chapters to make instead of the scripts.
    #[serde(default)]
    pub book: Option<BookPick>,
}

/// A book and the chapters ticked in its chapter list.
#[derive(Debug, Deserialize, specta::Type)]
pub struct BookPick {
    /// The book's file.
    pub path: String,
    /// Chapter numbers (from 1), as the chapter list shows them.
    pub chapters: Vec<u32>,
}

/// Records a batch (before any work) and starts it; returns its id.
#[tauri::command]
#[specta::specta]
pub async fn generate(state: State<'_, AppState>, args: GenerateArgs) -> CmdResult<i64> {
    let studio = state.studio.clone();
    let mut plan = tauri::async_runtime::spawn_blocking(move || -> CmdResult<Plan> {
        let mut paths = Vec::new();
        let mut chapters = None;
        if let Some(b) = &args.book {
            if b.chapters.is_empty() {
                return Err("tick at least one chapter".to_string());
            }
            paths.push(std::path::PathBuf::from(&b.path));
            let list: Vec<String> = b.chapters.iter().map(u32::to_string).collect();
            chapters = Some(list.join(","));
        }
        for s in args.scripts.iter().filter(|_| args.book.is_none()) {
            paths.push(studio.save_script(&s.name, &s.text).map_err(err)?);
        }
        let req = GenerateRequest {
            scripts: paths,
            roles: args.cast.filter(|c| !c.is_empty()),
            voice: args.voice.filter(|v| !v.is_empty()),
            variants: args.variants,
            delivery: Delivery {
                format: args.format.parse::<Format>().map_err(err)?,
                ..Delivery::default()
            },
            check: args.check,
            best_of: args.best_of.unwrap_or(1),
            chapters,
            ..Default::default()
        };
        studio.plan(&req).map_err(err)
    })
    .await
    .map_err(err)??;
    // A variant's `music:` bed is made (once) before the batch is recorded.
    state.studio.prepare_beds(&mut plan).await.map_err(err)?;
    let id = state.studio.create_batch(&plan).map_err(err)?;
    super::run_in_background(&state, id);
    Ok(id)
}

/// Every batch, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_batches(state: State<'_, AppState>) -> CmdResult<Vec<BatchRow>> {
    state.studio.store().batches().map_err(err)
}

/// A batch's tracks in order.
#[tauri::command]
#[specta::specta]
pub fn list_tracks(state: State<'_, AppState>, batch_id: i64) -> CmdResult<Vec<TrackRow>> {
    state.studio.tracks(batch_id).map_err(err)
}

/// The current rows of the given tracks, in the order asked; ids that no
/// longer exist (deleted meanwhile) are left out. The UI refreshes only the
/// tracks an update says have finished, not the whole batch.
#[tauri::command]
#[specta::specta]
pub fn get_tracks(state: State<'_, AppState>, track_ids: Vec<i64>) -> CmdResult<Vec<TrackRow>> {
    let store = state.studio.store();
    let mut rows = Vec::with_capacity(track_ids.len());
    for id in track_ids {
        match store.track(id) {
            Ok(row) => rows.push(row),
            Err(intone_core::Error::NotFound(_)) => {}
            Err(e) => return Err(err(e)),
        }
    }
    Ok(rows)
}

/// Cancels a batch's unfinished tracks.
#[tauri::command]
#[specta::specta]
pub fn cancel_batch(state: State<'_, AppState>, batch_id: i64) -> CmdResult<BatchRow> {
    state.studio.cancel(batch_id).map_err(err)
}

/// Re-runs a batch's failed and cancelled tracks (finished ones stay).
#[tauri::command]
#[specta::specta]
pub async fn retry_batch(state: State<'_, AppState>, batch_id: i64) -> CmdResult<()> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = studio.retry(batch_id).await {
            tracing::error!("retry of batch {batch_id}: {e}");
        }
    });
    Ok(())
}

/// A voice preview's sample text.
pub const PREVIEW_TEXT: &str = "Hello. This is how I sound reading your script.";

/// Speaks a short sample in `voice` (cached per voice) and plays it. The
/// first sentence starts playing as soon as it is rendered; the rest is
/// queued behind it when ready. Returns the state once playback started.
#[tauri::command]
#[specta::specta]
pub async fn preview_voice(
    state: State<'_, AppState>,
    voice: String,
) -> CmdResult<crate::playback::PlaybackState> {
    let source = crate::playback::Source::Preview(voice.clone());
    super::playback::play_preview(&state, source, move |studio, on_part| {
        let safe: String = voice
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = studio.home().work_dir().join("previews");
        let cached: Vec<PathBuf> = (1..=2)
            .map(|n| dir.join(format!("{safe}.{n}.wav")))
            .collect();
        if cached.iter().all(|p| p.is_file()) {
            cached.iter().for_each(|p| on_part(p));
            return Ok(());
        }
        studio
            .preview_speech(PREVIEW_TEXT, &voice, &dir, &safe, on_part)
            .map(drop)
    })
    .await
}

/// Loads `voice` in the background (model, sessions, phonemizer) so that
/// its preview and the next generate start at once. The UI calls it when a
/// voice is picked; errors are left for the preview or generate to report.
#[tauri::command]
#[specta::specta]
pub async fn prepare_voice(state: State<'_, AppState>, voice: String) -> CmdResult<()> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = studio.prepare_voice(&voice) {
            tracing::debug!("prepare {voice}: {e}");
        }
    });
    Ok(())
}

/// Where an exported book went.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct BookSaved {
    /// The book.
    pub path: String,
    /// Chapters in it (one per track).
    pub chapters: u32,
    /// Its SubRip subtitles, when the tracks have cues.
    pub srt: Option<String>,
}

/// Joins the batch's finished tracks of `variant` (`None` = the first
/// track's) into one file with a chapter per track, where the native dialog
/// says; the extension picks the format (MP3, M4B, Opus, FLAC, WAV). `None`
/// when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_book(
    state: State<'_, AppState>,
    batch_id: i64,
    variant: Option<String>,
) -> CmdResult<Option<BookSaved>> {
    let project = state.studio.store().batch(batch_id).map_err(err)?.project;
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Export as one file with chapters")
        .set_file_name(format!("{project}.mp3"))
        .add_filter("MP3 with chapters", &["mp3"])
        .add_filter("Audiobook (M4B, AAC)", &["m4b"])
        .add_filter("Opus", &["opus"])
        .add_filter("FLAC", &["flac"])
        .add_filter("WAV", &["wav"])
        .save_file()
        .await
    else {
        return Ok(None);
    };
    let studio = state.studio.clone();
    let order = intone_core::studio::BookRequest {
        batch_id,
        variant,
        out: file.path().to_path_buf(),
        encode: None,
        title: None,
    };
    tauri::async_runtime::spawn_blocking(move || {
        studio
            .export_book(&order)
            .map(|r| {
                Some(BookSaved {
                    path: r.path.display().to_string(),
                    chapters: r.chapters.len() as u32,
                    srt: r.srt.map(|p| p.display().to_string()),
                })
            })
            .map_err(err)
    })
    .await
    .map_err(err)?
}
