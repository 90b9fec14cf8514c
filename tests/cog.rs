//! The Cog music engine against a real Cog server: PyPI's `cog` 0.23.1 with
//! its Rust runtime `coglet` (installed by `scripts/setup.sh --dev` in
//! `.assets/cog-venv`), running a small predictor with meta/musicgen's input
//! schema (`tests/servers/cog_musicgen`). Covers the schema's parameters in
//! `intone models`, takes through the pipeline, a failed prediction's
//! message, concurrent takes meeting Cog's busy 409, continuation, a server
//! killed mid-batch then restarted (`retry` completes), and a server whose
//! model process died (named at once, not waited out).

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cog::{free_port, predictor, predictor_from, start, start_with};
use common::{add_cog_engine, intone, json, run, seam, stderr};

#[test]
fn musicgen_through_a_real_cog_server() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    let server = start(&predictor(tmp.path()), free_port());
    let url = format!("http://127.0.0.1:{}", server.port);
    let out =
        run(intone(&home).args(["engines", "add", "musicgen", "--kind", "cog", "--url", &url]));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(intone(&home).args(["engines", "test", "musicgen"]));
    assert!(out.status.success(), "{}", stderr(&out));

    // The model's own parameters, read from its OpenAPI schema.
    let models = json(&run(intone(&home).args(["models", "--json"])));
    let mg = models
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["name"] == "musicgen")
        .expect("musicgen")
        .clone();
    assert_eq!(mg["kind"], "cog");
    assert_eq!(mg["available"], true);
    assert_eq!(mg["models"][0], "stereo-melody-large");
    let names: Vec<&str> = mg["params"]
        .as_array()
        .expect("params")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "multi_band_diffusion",
            "normalization_strategy",
            "top_k",
            "top_p",
            "temperature",
            "classifier_free_guidance",
            "output_format"
        ]
    );
    let ns = mg["params"]
        .as_array()
        .expect("params")
        .iter()
        .find(|p| p["name"] == "normalization_strategy")
        .expect("ns")
        .clone();
    assert_eq!(
        ns["choices"],
        serde_json::json!(["loudness", "clip", "peak", "rms"])
    );
    assert_eq!(ns["default"], "loudness");

    // Two takes at once against Cog's single slot: one waits out the 409.
    let out = run(intone(&home).args([
        "--workers",
        "2",
        "music",
        "ambient pads",
        "--engine",
        "musicgen",
        "--model",
        "large",
        "--takes",
        "2",
        "--duration",
        "3.5",
        "--seed",
        "7",
        "--set",
        "top_k=100",
        "--set",
        "normalization_strategy=peak",
        "--json",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "completed");
    for t in doc["tracks"].as_array().expect("tracks") {
        // Whole seconds from the model; the take is exact.
        assert_eq!(t["duration_ms"], 3500);
        assert_eq!(t["engine"], "musicgen:large");
        assert!((t["loudness_lufs"].as_f64().expect("lufs") + 16.0).abs() < 0.6);
    }
    let first = PathBuf::from(doc["tracks"][0]["output_path"].as_str().expect("path"));

    // A bad parameter is refused before anything is recorded, naming it.
    let out = run(intone(&home).args([
        "music",
        "x",
        "--engine",
        "musicgen",
        "--set",
        "normalization_strategy=loud",
    ]));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("normalization_strategy must be one of loudness, clip, peak, rms"),
        "{}",
        stderr(&out)
    );

    // A failed prediction (HTTP 200, status failed) shows the model's message.
    let out = run(intone(&home).args([
        "music",
        "please refuse",
        "--engine",
        "musicgen",
        "--duration",
        "2",
        "--json",
    ]));
    let doc = json(&out);
    assert_eq!(doc["status"], "failed", "{}", stderr(&out));
    let e = doc["tracks"][0]["error"].as_str().expect("error");
    assert!(
        e.contains("the model failed") && e.contains("the model refused this prompt"),
        "{e}"
    );

    // Continuation: the take is the first one with the new music joined on.
    let doc = json(&run(intone(&home).args([
        "music",
        "more pads",
        "--engine",
        "musicgen",
        "--duration",
        "3",
        "--seed",
        "8",
        "--continue",
        first.to_str().expect("utf-8"),
        "--json",
    ])));
    assert_eq!(doc["status"], "completed");
    assert_eq!(doc["tracks"][0]["duration_ms"], 3500 + 3000);
    drop(server);
}

/// Registers the Cog server on `port` as "musicgen", then starts (without
/// waiting) `intone music` making `takes` two-second takes one at a time.
fn add_engine_and_make_takes(home: &std::path::Path, port: u16, takes: u32) -> std::process::Child {
    let url = format!("http://127.0.0.1:{port}");
    assert!(
        run(intone(home).args(["engines", "add", "musicgen", "--kind", "cog", "--url", &url]))
            .status
            .success()
    );
    intone(home)
        .args(["--workers", "1", "music", "drone", "--engine", "musicgen"])
        .args(["--takes", &takes.to_string(), "--duration", "2", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("music")
}

#[test]
fn a_server_killed_mid_batch_then_restarted_is_retried() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    let dir = predictor(tmp.path());
    let port = free_port();
    let server = start(&dir, port);
    let batch = add_engine_and_make_takes(&home, port, 3);
    // Let the first take finish, then kill the server.
    let db = home.join("intone.db");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = intone_core::store::Store::open(&db)
            .ok()
            .and_then(|s| s.tracks(1).ok())
            .is_some_and(|t| {
                t.iter()
                    .any(|t| t.status == intone_core::store::TrackStatus::Completed)
            });
        if done {
            break;
        }
        assert!(Instant::now() < deadline, "the first take did not complete");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
    let out = batch.wait_with_output().expect("music ends");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["status"], "partial_success");
    let failed: Vec<_> = doc["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .filter(|t| t["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(
        failed[0]["error"]
            .as_str()
            .expect("error")
            .contains("cannot connect"),
        "{}",
        failed[0]
    );

    let _server = start(&dir, port);
    let out = run(intone(&home).args(["retry", "1", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["status"], "completed");
}

#[test]
fn a_server_whose_model_process_died_is_named_then_retried_after_restart() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    let dir = predictor(tmp.path());
    let port = free_port();
    let slow = [("INTONE_TEST_COG_SLEEP_S", "3")];
    let server = start_with(&dir, port, &slow, "READY");
    let batch = add_engine_and_make_takes(&home, port, 2);
    // While take 1 is predicted, kill the server's model process (coglet's
    // worker, its child): the server stays up, reports UNHEALTHY, and
    // answers every later prediction with 409.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !server.health().contains("\"BUSY\"") {
        assert!(Instant::now() < deadline, "no prediction started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = std::process::Command::new("pkill")
        .args(["-9", "-P", &server.child.id().to_string()])
        .status()
        .expect("pkill");
    assert!(killed.success(), "no worker process to kill");
    let started = Instant::now();
    let out = batch.wait_with_output().expect("music");
    // Named within seconds, not after 60 busy answers per attempt.
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "{:?}",
        started.elapsed()
    );
    assert!(!out.status.success());
    let doc = json(&out);
    let errors: Vec<&str> = doc["tracks"]
        .as_array()
        .expect("tracks")
        .iter()
        .filter_map(|t| t["error"].as_str())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("UNHEALTHY") && e.contains("restart the Cog server")),
        "{doc}{}",
        server.log_tail()
    );
    // The user restarts the server; retry completes both takes.
    drop(server);
    let _server = start_with(&dir, port, &slow, "READY");
    let batch_id = doc["batch_id"].as_i64().expect("batch").to_string();
    let again = json(&run(intone(&home).args(["retry", &batch_id, "--json"])));
    assert_eq!(again["status"], "completed", "{again}");
}

#[test]
fn riffusion_through_a_real_cog_server_chains_clips_keeps_spectrograms_and_loops() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    let log = tmp.path().join("inputs.jsonl");
    let dir = predictor_from(tmp.path(), "cog_riffusion");
    let log_s = log.to_str().expect("utf-8");
    let server = start_with(
        &dir,
        free_port(),
        &[("INTONE_TEST_COG_LOG", log_s)],
        "READY",
    );
    let url = format!("http://127.0.0.1:{}", server.port);
    // Its schema's parameters, the seed images as a choice.
    let rf = add_cog_engine(&home, "riffusion", &url);
    let params = rf["params"].as_array().expect("params");
    let names: Vec<&str> = params
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "denoising",
            "prompt_b",
            "alpha",
            "num_inference_steps",
            "seed_image_id"
        ]
    );
    let seeds = params
        .iter()
        .find(|p| p["name"] == "seed_image_id")
        .expect("seed images");
    assert_eq!(seeds["default"], "vibes");
    assert_eq!(seeds["choices"].as_array().expect("choices").len(), 11);
    assert!(seeds["choices"]
        .as_array()
        .expect("c")
        .contains(&serde_json::json!("og_beat")));

    // 12 s from ~5.11 s clips crossfaded by 1 s: three clips, alpha 0 → 0.5 → 1.
    let doc = json(&run(intone(&home).args([
        "music",
        "lofi beat",
        "--engine",
        "riffusion",
        "--duration",
        "12",
        "--set",
        "prompt_b=jazz piano",
        "--set",
        "seed_image_id=og_beat",
        "--json",
    ])));
    assert_eq!(doc["status"], "completed", "{}", server.log_tail());
    assert_eq!(doc["tracks"][0]["duration_ms"], 12_000);
    let sent: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .expect("inputs")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let alphas: Vec<f64> = sent
        .iter()
        .map(|v| v["alpha"].as_f64().expect("alpha"))
        .collect();
    assert_eq!(alphas, [0.0, 0.5, 1.0]);
    assert!(sent.iter().all(|v| v["prompt_a"] == "lofi beat"
        && v["prompt_b"] == "jazz piano"
        && v["seed_image_id"] == "og_beat"));
    // Each clip's spectrogram is kept with the take; the tempo is estimated.
    let id = doc["tracks"][0]["id"].as_i64().expect("id").to_string();
    let show = json(&run(intone(&home).args(["music", "show", &id, "--json"])));
    let images = show["music"]["spectrograms"].as_array().expect("images");
    assert_eq!(images.len(), 3);
    for i in images {
        let bytes = std::fs::read(i.as_str().expect("path")).expect("image");
        assert_eq!(&bytes[..3], [0xFF, 0xD8, 0xFF], "a JPEG");
    }
    let bpm = show["music"]["tempo_bpm"].as_f64().expect("tempo");
    assert!(
        [60.0, 120.0, 240.0].iter().any(|t| (bpm - t).abs() <= 2.0),
        "{bpm} BPM"
    );
    assert_eq!(show["music"]["estimated"], true);

    // A loop from the model: whole bars of its estimated tempo, no seam.
    let doc = json(&run(intone(&home).args([
        "music",
        "lofi beat",
        "--engine",
        "riffusion",
        "--duration",
        "8",
        "--loop",
        "--json",
    ])));
    assert_eq!(doc["status"], "completed", "{}", server.log_tail());
    let path = PathBuf::from(doc["tracks"][0]["output_path"].as_str().expect("path"));
    let id = doc["tracks"][0]["id"].as_i64().expect("id").to_string();
    let show = json(&run(intone(&home).args(["music", "show", &id, "--json"])));
    let frames = show["music"]["loop_frames"].as_u64().expect("a loop");
    let bar = 4.0 * 60.0 / show["music"]["tempo_bpm"].as_f64().expect("tempo") * 48_000.0;
    let bars = frames as f64 / bar;
    assert!((bars - bars.round()).abs() < 0.02, "{bars} bars");
    seam(&path).assert_seamless(&path);
    drop(server);
}
