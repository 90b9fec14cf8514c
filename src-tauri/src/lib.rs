//! Intone's desktop shell: Tauri commands, event forwarding, playback, file
//! dialogs and drag-and-drop. No business rules live here: everything is a
//! call into [`intone_core::Studio`]. Built with the root package's `app`
//! feature (the default); without it this library is empty and only the
//! `intone` command is built.
#![cfg(feature = "app")]

pub mod bindings;
pub mod commands;
pub mod drop;
pub mod forward;
pub mod playback;
pub mod window;

use std::sync::Arc;

use intone_core::pipeline::RunOptions;
use intone_core::{Home, Studio};
use tauri::Runtime;

/// State shared by the commands.
pub struct AppState {
    /// The studio.
    pub studio: Arc<Studio>,
    /// The audio player.
    pub player: playback::Player,
}

/// Adds Intone to a Tauri builder over any runtime (the real window system,
/// or Tauri's mock runtime in tests): commands, events, state, drag-and-drop,
/// and the resumption of unfinished batches.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, studio: Arc<Studio>) -> tauri::Builder<R> {
    let specta = bindings::builder::<R>();
    let handler = specta.invoke_handler();
    let state = AppState {
        studio: studio.clone(),
        player: playback::Player::start(),
    };
    builder
        .manage(state)
        .setup(move |app| {
            // Shipped assets (voice, runtime, recognizer model, examples)
            // may sit in the bundle's resource folder (/usr/lib/Intone).
            if let Ok(dir) = tauri::Manager::path(app).resource_dir() {
                intone_core::assets::set_resource_dir(dir);
            }
            specta.mount_events(app);
            forward::spawn(app.handle().clone(), studio.subscribe());
            // Unfinished batches resume when the app opens; then watched
            // folders are scanned (files that landed while it was closed
            // first), for as long as the app runs.
            let s = studio.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = s.resume().await {
                    tracing::error!("resume failed: {e}");
                }
                let log = |r: &intone_core::studio::ScanReport| {
                    for l in &r.lines {
                        s.log("info", l);
                    }
                };
                if let Err(e) = s.watch(|| false, log).await {
                    tracing::error!("watching folders stopped: {e}");
                }
            });
            Ok(())
        })
        .on_window_event(drop::on_window_event)
        .invoke_handler(handler)
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
    let studio = Home::resolve(None)
        .and_then(|home| Studio::open(home, RunOptions::default()))
        .map(Arc::new);
    let studio = match studio {
        Ok(s) => s,
        Err(e) => {
            // No window yet: say it where a person starting the app will see it.
            rfd::MessageDialog::new()
                .set_level(rfd::MessageLevel::Error)
                .set_title("Intone cannot start")
                .set_description(e.to_string())
                .show();
            eprintln!("intone: {e}");
            std::process::exit(1);
        }
    };
    // "Open with Intone": files named on the command line open as if dropped.
    commands::start::set_launch_files(
        std::env::args_os()
            .skip(1)
            .map(std::path::PathBuf::from)
            .filter(|p| p.is_file())
            .collect(),
    );
    let builder = tauri::Builder::<tauri::Wry>::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .on_page_load(|w, load| {
            if load.event() == tauri::webview::PageLoadEvent::Finished {
                window::fit_to_screen(w);
            }
        });
    configure(builder, studio)
        .run(tauri::generate_context!())
        .expect("error while running Intone");
}
