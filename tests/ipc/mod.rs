//! The app's commands over Tauri's IPC in tests: the mock runtime with the
//! real handlers (`intone_app::configure`) over a studio in a temporary home.
//! Included by the IPC test files with `#[path = "ipc/mod.rs"] mod ipc;`.

use std::sync::Arc;

use intone_core::pipeline::RunOptions;
use intone_core::{Home, Studio};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The app on the mock runtime, its main webview, and its studio.
pub struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    /// The studio behind the commands (for what a test sets up directly).
    #[allow(dead_code)]
    pub studio: Arc<Studio>,
}

impl App {
    /// Starts the app on a studio in `home`.
    pub fn start(home: &std::path::Path) -> Self {
        let studio = Arc::new(
            Studio::open(Home::open(home).expect("home"), RunOptions::default()).expect("studio"),
        );
        let app = intone_app::configure(mock_builder(), studio.clone())
            .build(mock_context(noop_assets()))
            .expect("app");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("window");
        Self {
            _app: app,
            webview,
            studio,
        }
    }

    /// Invokes `cmd` with camelCase `args` as the generated client does.
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, String> {
        let req = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, req)
            .map(|b| b.deserialize::<Value>().expect("json"))
            .map_err(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
    }

    /// [`App::call`] that must succeed.
    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }
}
