//! Books in the app: an EPUB, a PDF or a text with chapter lines, opened
//! (dialog or drop) as its chapter list, with words and each chapter's
//! pace for the chosen voice; the chapters a person ticks go with Generate.

use std::path::PathBuf;

use intone_core::book::{self, BookOutline};

use super::{err, CmdResult};

/// A book's chapters (no text), read off the UI thread.
#[tauri::command]
#[specta::specta]
pub async fn open_book(path: String) -> CmdResult<BookOutline> {
    tauri::async_runtime::spawn_blocking(move || {
        book::read(&PathBuf::from(path)).map(|b| b.outline())
    })
    .await
    .map_err(err)?
    .map_err(err)
}

/// Opens a book with the native file dialog (`None` when cancelled).
#[tauri::command]
#[specta::specta]
pub async fn pick_book() -> CmdResult<Option<BookOutline>> {
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Open a book")
        .add_filter("Books", &["epub", "pdf", "txt", "md"])
        .pick_file()
        .await
    else {
        return Ok(None);
    };
    open_book(file.path().display().to_string()).await.map(Some)
}

/// Words a minute `voice` speaks (the chapter list's duration estimates).
#[tauri::command]
#[specta::specta]
pub fn voice_pace(voice: String) -> f64 {
    book::pace_wpm(&voice)
}
