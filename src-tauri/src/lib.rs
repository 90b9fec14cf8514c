//! Intone's desktop shell: Tauri commands, event forwarding, playback, file
//! dialogs and drag-and-drop. No business rules live here: everything is a
//! call into [`intone_core::Studio`].

mod commands;
mod forward;
pub mod playback;

use std::sync::Arc;

use intone_core::pipeline::RunOptions;
use intone_core::{Home, Studio};
use tauri::Manager;

/// State shared by the commands.
pub struct AppState {
    /// The studio.
    pub studio: Arc<Studio>,
    /// The audio player.
    pub player: playback::Player,
}

/// Starts the app.
///
/// # Panics
/// When the window system cannot start at all (nothing to show an error in).
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INTONE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    tauri::Builder::default()
        .setup(|app| {
            let home = Home::resolve(None)?;
            let studio = Arc::new(Studio::open(home, RunOptions::default())?);
            forward::spawn(app.handle().clone(), studio.subscribe());
            // Unfinished batches resume when the app opens.
            let s = studio.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = s.resume().await {
                    tracing::error!("resume failed: {e}");
                }
            });
            app.manage(AppState {
                studio,
                player: playback::Player::start(),
            });
            Ok(())
        })
        .on_window_event(commands::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_voices,
            commands::list_variants,
            commands::preview_script,
            commands::read_script_file,
            commands::pick_script_files,
            commands::generate,
            commands::list_batches,
            commands::list_tracks,
            commands::cancel_batch,
            commands::retry_batch,
            commands::track_peaks,
            commands::play,
            commands::pause,
            commands::seek,
            commands::playback_state,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Intone");
}
