//! The commands over Tauri's IPC (mock runtime, real handlers), a temporary
//! `INTONE_HOME`-style home, a real SQLite file and real audio: generate a
//! batch and watch it finish, read a waveform, browse and filter the Library,
//! export and delete, manage engines, and get readable errors for bad input.

#[path = "ipc/mod.rs"]
mod ipc;

use std::time::{Duration, Instant};

use intone_core::pipeline::RunOptions;
use intone_core::{Home, Studio};
use ipc::App;
use serde_json::{json, Value};

const SCRIPT: &str = "# Calm\n\n## Morning\n\nI wake up rested.\n\n## Evening\n\nI rest easy.\n";

#[test]
fn generate_library_export_delete_over_ipc() {
    let home = tempfile::tempdir().expect("tmp");
    // The speech recognizer's model, as scripts/setup.sh installs it.
    std::env::set_var(
        "INTONE_MODEL_PATH",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".assets/models"),
    );
    let app = App::start(home.path());

    let info = app.ok("app_info", json!({}));
    assert_eq!(info["home"], home.path().display().to_string());
    let voices = app.ok("list_voices", json!({}));
    assert!(voices["voices"]
        .as_array()
        .expect("voices")
        .iter()
        .any(|v| v["id"] == "espeak:en-us" && v["available"] == true));
    let preview = app.ok("preview_script", json!({"name": "calm.md", "text": SCRIPT}));
    assert_eq!(preview["sections"].as_array().map(Vec::len), Some(2));

    let id = app.ok(
        "generate",
        json!({"args": {"scripts": [{"name": "calm.md", "text": SCRIPT}], "voice": "espeak:en-us",
                        "variants": ["voice", "sleep"], "format": "wav", "check": true}}),
    );
    let id = id.as_i64().expect("batch id");
    // The batch is recorded before work starts; it then finishes.
    let t0 = Instant::now();
    let batch = loop {
        let batches = app.ok("list_batches", json!({}));
        let b = batches
            .as_array()
            .and_then(|a| a.iter().find(|b| b["id"] == id).cloned())
            .expect("the batch is listed at once");
        if b["status"] == "completed" {
            break b;
        }
        assert!(
            !["failed", "partial_success", "cancelled"]
                .contains(&b["status"].as_str().unwrap_or("")),
            "{b}"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "batch did not finish: {b}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(batch["completed"], 4);
    let tracks = app.ok("list_tracks", json!({"batchId": id}));
    let tracks = tracks.as_array().expect("tracks");
    assert_eq!(tracks.len(), 4);
    let first = tracks[0]["id"].as_i64().expect("id");
    // Re-reading finished tracks by id: in the order asked, unknown ids left out.
    let last = tracks[3]["id"].as_i64().expect("id");
    let some = app.ok("get_tracks", json!({"trackIds": [last, 999_999, first]}));
    let some = some.as_array().expect("rows");
    assert_eq!(some.len(), 2);
    assert_eq!(some[0], tracks[3]);
    assert_eq!(some[1], tracks[0]);
    let peaks = app.ok("track_peaks", json!({"trackId": first}));
    assert!(peaks["frames"].as_u64().expect("frames") > 0);

    // Every sentence was heard; a new take of one is made over IPC.
    let checks = app.ok("batch_checks", json!({"batchId": id}));
    let checks = checks.as_array().expect("checks");
    assert_eq!(checks.len(), 4);
    for c in checks {
        assert_eq!(c["report"]["checked"], true, "{c}");
        assert_eq!(
            c["report"]["sentences"].as_array().map(Vec::len),
            Some(1),
            "{c}"
        );
        // (espeak-ng's short "I rest easy." can be heard as "I'm Steve." and
        // flagged: whether it is, is the recognizer's business, not this test's.)
        assert!(
            ["I wake up rested.", "I rest easy."]
                .contains(&c["report"]["sentences"][0]["text"].as_str().unwrap_or("")),
            "{c}"
        );
    }
    assert_eq!(
        app.ok("track_transcript", json!({"trackId": first})),
        Value::Null
    );
    assert_eq!(
        app.ok(
            "regenerate_utterance",
            json!({"trackId": first, "index": 0})
        ),
        json!(id)
    );
    let e = app
        .call(
            "regenerate_utterance",
            json!({"trackId": first, "index": 5}),
        )
        .expect_err("no sentence 6");
    assert!(e.contains("has sentences 1–1, not 6"), "{e}");
    let t0 = Instant::now();
    loop {
        let t = app.ok("get_tracks", json!({"trackIds": [first]}));
        if t[0]["status"] == "completed" {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "the track was not remade: {t}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Library, filtered.
    let sleep = app.ok("library", json!({"filter": {"status": "completed", "variant": "sleep", "voice": null, "source": "Calm", "kind": null}}));
    let sleep = sleep.as_array().expect("items");
    assert_eq!(sleep.len(), 2);
    assert!(sleep
        .iter()
        .all(|i| i["track"]["variant"] == "sleep" && i["source"] == "Calm"));
    let facets = app.ok("library_facets", json!({}));
    assert_eq!(facets["variants"], json!(["sleep", "voice"]));

    // Export into a folder, then delete.
    let out = tempfile::tempdir().expect("tmp");
    let ids: Vec<i64> = sleep
        .iter()
        .filter_map(|i| i["track"]["id"].as_i64())
        .collect();
    let r = app.ok(
        "export_tracks_to",
        json!({"trackIds": ids, "folder": out.path()}),
    );
    assert_eq!(r["files"].as_array().map(Vec::len), Some(2), "{r}");
    let r = app.ok("delete_tracks", json!({"trackIds": ids}));
    assert_eq!(r["deleted"], 2);
    let left = app.ok(
        "library",
        json!({"filter": {"status": null, "variant": null, "voice": null, "source": null, "kind": null}}),
    );
    assert_eq!(left.as_array().map(Vec::len), Some(2));
    assert_eq!(
        std::fs::read_dir(out.path()).expect("dir").count(),
        2,
        "exports stay"
    );

    // Errors come back as one readable line.
    let e = app
        .call("list_tracks", json!({"batchId": 999}))
        .expect_err("unknown batch");
    assert!(e.contains("999"), "{e}");
    let e = app
        .call(
            "generate",
            json!({"args": {"scripts": [{"name": "Evening wind-down.md", "text": "# Nothing\n"}],
                                           "voice": null, "variants": ["voice"], "format": "wav", "check": false}}),
        )
        .expect_err("empty script");
    // The error names the user's file, not the copy kept under inputs/.
    assert!(
        e.starts_with("Evening wind-down.md") && e.contains("no text to speak"),
        "{e}"
    );
    let e = app
        .call(
            "generate",
            json!({"args": {"scripts": [{"name": "calm.md", "text": SCRIPT}],
                                           "voice": null, "variants": ["nope"], "format": "wav", "check": false}}),
        )
        .expect_err("unknown variant");
    assert!(e.contains("nope"), "{e}");
}

#[test]
fn engines_are_added_tested_and_removed_over_ipc() {
    let home = tempfile::tempdir().expect("tmp");
    let app = App::start(home.path());
    assert_eq!(app.ok("list_engines", json!({})), json!([]));
    // Nothing listens on port 9 (discard): the test reports it, clearly.
    let config = json!({"kind": "openai", "urls": ["http://127.0.0.1:9"], "model": null, "voices": ["alloy"],
                        "concurrency": 1, "timeout_s": 2.0, "max_chars": null, "allow_remote": false, "chatterbox": null});
    app.ok("add_engine", json!({"name": "local", "config": config}));
    let engines = app.ok("list_engines", json!({}));
    assert_eq!(engines[0]["name"], "local");
    assert_eq!(engines[0]["config"]["urls"], json!(["http://127.0.0.1:9"]));
    // The new engine's voices are offered at once (unavailable while it is down).
    let voices = app.ok("list_voices", json!({}));
    assert!(
        voices["voices"]
            .as_array()
            .expect("voices")
            .iter()
            .any(|v| v["engine"] == "local"),
        "{voices}"
    );
    let health = app.ok("test_engine", json!({"name": "local"}));
    assert_eq!(health["ok"], false, "{health}");
    assert_eq!(health["urls"][0][0], "http://127.0.0.1:9");
    let e = app
        .call("add_engine", json!({"name": "local", "config": config}))
        .expect_err("twice");
    assert!(e.contains("already exists"), "{e}");
    let remote = json!({"kind": "openai", "urls": ["http://203.0.113.5:8000"], "model": null, "voices": [],
                        "concurrency": 1, "timeout_s": 2.0, "max_chars": null, "allow_remote": false, "chatterbox": null});
    let e = app
        .call("add_engine", json!({"name": "far", "config": remote}))
        .expect_err("remote");
    assert!(e.contains("203.0.113.5"), "{e}");
    app.ok("remove_engine", json!({"name": "local"}));
    assert_eq!(app.ok("list_engines", json!({})), json!([]));
    let voices = app.ok("list_voices", json!({}));
    assert!(!voices["voices"]
        .as_array()
        .expect("voices")
        .iter()
        .any(|v| v["engine"] == "local"));
}

#[test]
fn a_recording_is_transcribed_without_converting_it_over_ipc() {
    let home = tempfile::tempdir().expect("tmp");
    std::env::set_var(
        "INTONE_MODEL_PATH",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".assets/models"),
    );
    // A dropped recording is kept as an input first (as the window's drop does).
    let input = {
        let studio = Studio::open(
            Home::open(home.path()).expect("home"),
            RunOptions::default(),
        )
        .expect("studio");
        studio
            .keep_input(std::path::Path::new(
                "/usr/share/sounds/alsa/Front_Left.wav",
            ))
            .expect("alsa-utils' recordings (scripts/setup.sh --dev)")
    };
    let app = App::start(home.path());
    let started = app.ok(
        "transcribe",
        json!({"args": {"inputs": [input.hash], "format": "wav", "target_lufs": -16.0, "force": false}}),
    );
    let batch = started["batch_id"].as_i64().expect("batch");
    let t0 = Instant::now();
    let track = loop {
        let t = app.ok("list_tracks", json!({"batchId": batch}));
        if t[0]["status"] == "completed" {
            break t[0].clone();
        }
        assert_ne!(t[0]["status"], "failed", "{t}");
        assert!(t0.elapsed() < Duration::from_secs(120), "not done: {t}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(track["title"], "Front_Left.wav");
    assert_eq!(track["variant"], "transcript");
    let lines = app.ok("track_transcript", json!({"trackId": track["id"]}));
    let text = lines.to_string().to_lowercase();
    assert!(text.contains("front") && text.contains("left"), "{lines}");
    let kinds = app.ok("list_batches", json!({}));
    assert_eq!(kinds[0]["kind"], "transcription", "{kinds}");
    // The same file again is reported as done, with nothing new started.
    let again = app.ok(
        "transcribe",
        json!({"args": {"inputs": [input.hash], "format": "wav", "target_lufs": -16.0, "force": false}}),
    );
    assert_eq!(again["batch_id"], Value::Null, "{again}");
    assert_eq!(again["already"][0]["track_id"], track["id"]);
}
