//! The Studio's cast panel and the Lexicon view: a script's speakers and
//! their voices, the project's saved cast, a speaker's sample line, and
//! pronunciation entries (list, add, remove, hear, and apply to the tracks
//! they touch).

use std::path::Path;

use intone_core::cast::Cast;
use intone_core::lexicon::{Entry, Lexicon};
use intone_core::script::{self, Script};
use intone_core::studio::{Casting, Touched};
use intone_core::Studio;
use tauri::State;

use super::{err, CmdResult};
use crate::playback::{PlaybackState, Source};
use crate::AppState;

/// Parses pasted or dropped script text the way `preview_script` does
/// (Markdown unless the name ends in `.txt`; the file stem names a script
/// without a `# Title`).
fn parse(name: &str, text: &str) -> CmdResult<Script> {
    let p = Path::new(name);
    let markdown = !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let stem = p
        .file_stem()
        .map_or_else(|| "Untitled".into(), |s| s.to_string_lossy().into_owned());
    script::parse_text(text, &stem, markdown, p).map_err(err)
}

/// Runs a studio call on a blocking thread (store reads, engines that may
/// ask local servers).
async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Studio) -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    let studio = state.studio.clone();
    tauri::async_runtime::spawn_blocking(move || f(&studio))
        .await
        .map_err(err)?
}

/// A script's speakers, their sentence counts and voices, and what is wrong
/// with its cast. `cast` replaces the cast the script would get (the
/// project's saved cast, `cast.toml`, its front matter); `project` defaults
/// to the script's title; `voice` is the batch voice (the narrator's when
/// the cast has none).
#[tauri::command]
#[specta::specta]
pub async fn script_casting(
    state: State<'_, AppState>,
    name: String,
    text: String,
    project: Option<String>,
    cast: Option<Cast>,
    voice: Option<String>,
) -> CmdResult<Casting> {
    blocking(&state, move |studio| {
        let script = parse(&name, &text)?;
        let cast = match cast {
            Some(c) => c,
            None => {
                let project = project.unwrap_or_else(|| script.title.clone());
                studio.cast_of(&script, &project, None).map_err(err)?
            }
        };
        let voice = voice.filter(|v| !v.is_empty());
        Ok(studio.casting(&script, &cast, voice.as_deref()))
    })
    .await
}

/// Saves `cast` as `project`'s (an empty cast forgets it); the next batch
/// of that project is spoken with it.
#[tauri::command]
#[specta::specta]
pub fn save_cast(state: State<'_, AppState>, project: String, cast: Cast) -> CmdResult<()> {
    state.studio.save_project_cast(&project, &cast).map_err(err)
}

/// A preview's file stem: `prefix` and a key of `parts` (the same words
/// in the same voice land in the same file).
fn stem_of(prefix: &str, parts: &[&str]) -> String {
    format!("{prefix}-{}", &intone_core::hash::key(parts)[..16])
}

/// Speaks `text` (a speaker's sample line) in `voice` and plays it, labelled
/// `label` (the UI shows which row is playing). Returns the state once
/// playback started.
#[tauri::command]
#[specta::specta]
pub async fn preview_line(
    state: State<'_, AppState>,
    voice: String,
    text: String,
    label: String,
) -> CmdResult<PlaybackState> {
    if text.trim().is_empty() {
        return Err("this speaker has no line to preview".into());
    }
    super::playback::play_preview(&state, Source::Preview(label), move |studio, on_part| {
        let dir = studio.home().work_dir().join("previews");
        let stem = stem_of("line", &[&voice, &text]);
        studio
            .preview_speech(&text, &voice, &dir, &stem, on_part)
            .map(drop)
    })
    .await
}

/// The entries of `scope` (`""`: the global lexicon; else a project's).
#[tauri::command]
#[specta::specta]
pub fn lexicon_list(state: State<'_, AppState>, scope: String) -> CmdResult<Lexicon> {
    state.studio.lexicon(&scope).map_err(err)
}

/// Adds `entry` to `scope`, replacing the entry for the same word.
#[tauri::command]
#[specta::specta]
pub fn lexicon_put(state: State<'_, AppState>, scope: String, entry: Entry) -> CmdResult<()> {
    state.studio.lexicon_put(&scope, &entry).map_err(err)
}

/// Removes `word` from `scope`.
#[tauri::command]
#[specta::specta]
pub fn lexicon_remove(state: State<'_, AppState>, scope: String, word: String) -> CmdResult<()> {
    state.studio.lexicon_remove(&scope, &word).map_err(err)
}

/// The finished speech tracks of `scope` (every project for the global
/// lexicon) whose sentences hold a word of `entries`.
#[tauri::command]
#[specta::specta]
pub async fn lexicon_touches(
    state: State<'_, AppState>,
    scope: String,
    entries: Vec<Entry>,
) -> CmdResult<Vec<Touched>> {
    blocking(&state, move |studio| {
        studio.lexicon_touches(&scope, &entries).map_err(err)
    })
    .await
}

/// Remakes the tracks `entries` touch (only their sentences that hold a
/// word are spoken again), in the background: progress arrives as batch
/// events. Returns the tracks being remade.
#[tauri::command]
#[specta::specta]
pub async fn lexicon_apply(
    state: State<'_, AppState>,
    scope: String,
    entries: Vec<Entry>,
) -> CmdResult<Vec<Touched>> {
    let (ids, touched) = blocking(&state, move |studio| {
        studio.lexicon_apply(&scope, &entries).map_err(err)
    })
    .await?;
    let studio = state.studio.clone();
    // One batch after the other: remaking is heavy, the machine may be small.
    tauri::async_runtime::spawn(async move {
        for id in ids {
            if let Err(e) = studio.run_batch(id).await {
                tracing::error!("applying the lexicon to batch {id}: {e}");
            }
        }
    });
    Ok(touched)
}

/// Speaks `entry`'s word in `voice` with that entry alone as the lexicon
/// (before it is saved) and plays it. Returns the state once playback
/// started.
#[tauri::command]
#[specta::specta]
pub async fn lexicon_test(
    state: State<'_, AppState>,
    entry: Entry,
    voice: String,
) -> CmdResult<PlaybackState> {
    entry.check().map_err(err)?;
    let label = format!("lexicon:{}", entry.word.trim());
    let key = serde_json::to_string(&entry).map_err(err)?;
    super::playback::play_preview(&state, Source::Preview(label), move |studio, on_part| {
        let dir = studio.home().work_dir().join("previews");
        let stem = stem_of("lexicon", &[&voice, &key]);
        let lexicon = Lexicon {
            entries: vec![entry.clone()],
        };
        studio
            .preview_speech_with(
                entry.word.trim(),
                &voice,
                Some(&lexicon),
                &dir,
                &stem,
                on_part,
            )
            .map(drop)
    })
    .await
}
