//! Files dropped on the window: scripts are read for the editor, Piper voices
//! (`.onnx` + `.onnx.json`) are installed, audio files become inputs. The
//! result goes to the UI as one [`Dropped`] event; a file Intone cannot use is
//! listed with the reason and never stops the others.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use intone_core::library::INPUT_EXTENSIONS;
use intone_core::script::SCRIPT_EXTENSIONS;
use intone_core::store::InputRow;
use intone_core::Studio;
use serde::{Deserialize, Serialize};
use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_specta::Event;

use crate::commands::studio::{read_script_file, ScriptFile};
use crate::AppState;

/// What became of the files dropped on the window.
#[derive(Debug, Serialize, Deserialize, Clone, Default, specta::Type, Event)]
#[tauri_specta(event_name = "intone://dropped")]
pub struct Dropped {
    /// Script files (.md, .txt) with their text, for the editor.
    pub scripts: Vec<ScriptFile>,
    /// Books (EPUB, PDF) read into their chapter lists.
    #[serde(default)]
    pub books: Vec<intone_core::book::BookOutline>,
    /// Voice ids of Piper voices installed.
    pub voices: Vec<String>,
    /// Audio files kept as inputs.
    pub inputs: Vec<InputRow>,
    /// Files Intone could not use, each with the reason.
    pub rejected: Vec<String>,
}

fn ext(p: &Path) -> String {
    let name = p.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".onnx.json") {
        return "onnx.json".into();
    }
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Sorts and handles dropped files (copies can take a while: call off the UI
/// thread).
pub fn handle(studio: &Studio, paths: &[PathBuf]) -> Dropped {
    let mut d = Dropped::default();
    for p in paths {
        match ext(p).as_str() {
            e if SCRIPT_EXTENSIONS.contains(&e) => match read_script_file(p) {
                Ok(f) => d.scripts.push(f),
                Err(e) => d.rejected.push(e),
            },
            e if intone_core::book::BOOK_EXTENSIONS.contains(&e) => {
                match intone_core::book::read(p) {
                    Ok(b) => d.books.push(b.outline()),
                    Err(e) => d.rejected.push(e.to_string()),
                }
            }
            "onnx" => match studio.install_voice(p) {
                Ok(v) => d.voices.push(v),
                Err(e) => d.rejected.push(e.to_string()),
            },
            // A config dropped together with its model is installed with it.
            "onnx.json" => {
                let model = PathBuf::from(p.to_string_lossy().trim_end_matches(".json"));
                if !paths.contains(&model) {
                    match studio.install_voice(p) {
                        Ok(v) => d.voices.push(v),
                        Err(e) => d.rejected.push(e.to_string()),
                    }
                }
            }
            e if INPUT_EXTENSIONS.contains(&e) => match studio.add_input(p) {
                Ok(row) => d.inputs.push(row),
                Err(e) => d.rejected.push(e.to_string()),
            },
            _ => d.rejected.push(format!(
                "{}: Intone uses scripts (.md, .txt), books (.epub, .pdf), Piper voices (.onnx + .onnx.json) and audio ({})",
                p.display(),
                INPUT_EXTENSIONS.join(", ")
            )),
        }
    }
    d
}

/// The window's drag-and-drop handler.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event else {
        return;
    };
    let studio: Arc<Studio> = window.state::<AppState>().studio.clone();
    let paths = paths.clone();
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let d = handle(&studio, &paths);
        if let Err(e) = d.emit(&app) {
            tracing::error!("drop event: {e}");
        }
    });
}
