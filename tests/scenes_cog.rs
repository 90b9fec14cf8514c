//! `intone scenes` against a real Cog server (PyPI's `cog` + `coglet`, the
//! predictor in `tests/servers/cog_musicgen`, which fails on prompts that
//! contain "refuse" and takes about a second per prediction): scene 3
//! failing under each error strategy, and a SIGKILL while scene 4 is being
//! generated, after which `resume` generates scenes 4 and 5 only, scene 4
//! continuing from scene 3's stored take.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cog::{free_port, predictor, start, start_with, Server};
use common::{intone, json, run, run_within};
use serde_json::Value;

fn setup(tmp: &Path) -> (Server, std::path::PathBuf) {
    let home = tmp.join("home");
    let server = start(&predictor(tmp), free_port());
    let url = format!("http://127.0.0.1:{}", server.port);
    let out =
        run(intone(&home).args(["engines", "add", "musicgen", "--kind", "cog", "--url", &url]));
    assert!(out.status.success());
    (server, home)
}

fn list(dir: &Path, third: &str, on_error: &str) -> std::path::PathBuf {
    let f = dir.join(format!("{on_error}.toml"));
    std::fs::write(
        &f,
        format!(
            "engine = \"musicgen\"\non_error = \"{on_error}\"\n\
             [[scene]]\nprompt = \"dawn pads\"\nduration_s = 3\nseed = 1\n\
             [[scene]]\nprompt = \"market drums\"\nduration_s = 3\nseed = 2\n\
             [[scene]]\nprompt = \"{third}\"\nduration_s = 3\nseed = 3\n\
             [[scene]]\nprompt = \"rain piano\"\nduration_s = 3\nseed = 4\n\
             [[scene]]\nprompt = \"sunset strings\"\nduration_s = 3\nseed = 5\n"
        ),
    )
    .expect("write");
    f
}

fn attempts(doc: &Value) -> Vec<i64> {
    doc["score"]["scenes"]
        .as_array()
        .expect("scenes")
        .iter()
        .map(|s| s["attempts"].as_i64().expect("attempts"))
        .collect()
}

fn rms(s: &[f32]) -> f64 {
    (s.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

#[test]
fn a_failing_scene_under_each_error_strategy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_server, home) = setup(tmp.path());

    // continue_with_silence: the score completes with silence for scene 3.
    let f = list(tmp.path(), "refuse this scene", "continue_with_silence");
    let doc = json(&run(intone(&home).arg("scenes").arg(&f).arg("--json")));
    assert_eq!(doc["status"], "completed", "{doc}");
    let s3 = &doc["score"]["scenes"][2];
    assert_eq!(s3["silent"], true);
    assert!(
        s3["error"]
            .as_str()
            .unwrap_or("")
            .contains("the model refused this prompt"),
        "{s3}"
    );
    let path = doc["tracks"][0]["output_path"].as_str().expect("path");
    let mut r = hound::WavReader::open(path).expect("wav");
    let s: Vec<f32> = r
        .samples::<i32>()
        .map(|x| x.expect("s") as f32 / 32768.0)
        .collect();
    assert_eq!(s.len() / 2, 15 * 48_000, "the score keeps its length");
    let sec = |a: f64, b: f64| &s[(a * 96_000.0) as usize..(b * 96_000.0) as usize];
    // Past the crossfades, scene 3 (6–9 s) is silent; its neighbours are not.
    assert!(rms(sec(6.6, 8.4)) < 1e-4, "{}", rms(sec(6.6, 8.4)));
    assert!(rms(sec(3.6, 5.4)) > 0.01 && rms(sec(9.6, 11.4)) > 0.01);
    // The track says which scene is silent; a retry tries scene 3 again
    // (only it) and merges anew.
    let id = doc["tracks"][0]["id"].as_i64().expect("id");
    assert_eq!(doc["tracks"][0]["units_done"], 4);
    let batch = doc["batch_id"].as_i64().expect("batch").to_string();
    let again = json(&run(intone(&home).args(["retry", &batch, "--json"])));
    assert_eq!(again["status"], "completed");
    let shown = json(&run(intone(&home).args([
        "scenes",
        "show",
        &id.to_string(),
        "--json",
    ])));
    assert_eq!(attempts(&shown), [1, 1, 2, 1, 1]);
    // A new prompt for scene 3 fills the gap; the other scenes are reused.
    let fixed = json(&run(intone(&home).args([
        "scenes",
        "regenerate",
        &id.to_string(),
        "3",
        "--prompt",
        "storm strings",
        "--json",
    ])));
    assert_eq!(fixed["status"], "completed");
    assert_eq!(fixed["score"]["scenes"][2]["silent"], false);
    assert_eq!(fixed["tracks"][0]["units_done"], 5);
    assert_eq!(attempts(&fixed), [1, 1, 1, 1, 1]);

    // halt: the score stops at scene 3, naming it; scenes 1–2 are kept.
    let f = list(tmp.path(), "refuse this scene", "halt");
    let out = run(intone(&home).arg("scenes").arg(&f).arg("--json"));
    assert!(!out.status.success());
    let doc = json(&out);
    assert_eq!(doc["status"], "failed");
    let err = doc["tracks"][0]["error"].as_str().expect("error");
    assert!(
        err.contains("scene 3 of 5") && err.contains("refuse this scene"),
        "{err}"
    );
    let states: Vec<&str> = doc["score"]["scenes"]
        .as_array()
        .expect("scenes")
        .iter()
        .map(|s| s["status"].as_str().expect("status"))
        .collect();
    assert_eq!(states, ["done", "done", "failed", "pending", "pending"]);
    let batch = doc["batch_id"].as_i64().expect("batch").to_string();
    let out = run(intone(&home).args(["retry", &batch, "--json"]));
    let again = json(&out);
    assert_eq!(again["status"], "failed");
    let id = again["tracks"][0]["id"].as_i64().expect("id").to_string();
    let shown = json(&run(intone(&home).args(["scenes", "show", &id, "--json"])));
    assert_eq!(
        attempts(&shown),
        [1, 1, 2, 0, 0],
        "scenes 1–2 were not made again"
    );
}

#[test]
fn sigkill_during_scene_four_then_resume_generates_scenes_four_and_five() {
    let tmp = tempfile::tempdir().expect("tmp");
    let home = tmp.path().join("home");
    // Three-second predictions, so the kill lands while the model works on
    // scene 4 (not in the moment its answer is being sent).
    let server = start_with(
        &predictor(tmp.path()),
        free_port(),
        &[("INTONE_TEST_COG_SLEEP_S", "3")],
        "READY",
    );
    let url = format!("http://127.0.0.1:{}", server.port);
    let out =
        run(intone(&home).args(["engines", "add", "musicgen", "--kind", "cog", "--url", &url]));
    assert!(out.status.success());
    let f = list(tmp.path(), "storm strings", "halt");
    let mut child = intone(&home)
        .arg("scenes")
        .arg(&f)
        .arg("--json")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("scenes");
    let db = home.join("intone.db");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let running = intone_core::store::Store::open(&db)
            .and_then(|s| s.units(1, intone_core::store::Step::Generate))
            .map(|u| {
                u.iter()
                    .any(|u| u.idx == 3 && u.status == intone_core::store::UnitStatus::Running)
            })
            .unwrap_or(false);
        if running && server.health().contains("\"BUSY\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "scene 4 never started{}",
            server.log_tail()
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "finished before scene 4"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SIGKILL: no destructors, no cleanup.
    child.kill().expect("kill");
    child.wait().expect("wait");
    let out = run_within(
        intone(&home).args(["resume", "--json"]),
        Duration::from_secs(240),
    )
    .unwrap_or_else(|| panic!("resume took over 4 minutes{}", server.log_tail()));
    let doc = json(&out);
    assert_eq!(
        doc["batches"][0]["status"],
        "completed",
        "{doc}\nstderr: {}{}",
        String::from_utf8_lossy(&out.stderr),
        server.log_tail()
    );
    let shown = json(&run(intone(&home).args(["scenes", "show", "1", "--json"])));
    // Scenes 1–3 were made once; scene 4 was started twice (killed, then
    // resumed); scene 5 once.
    assert_eq!(attempts(&shown), [1, 1, 1, 2, 1]);
    assert_eq!(shown["track"]["status"], "completed");
    assert_eq!(shown["track"]["duration_ms"], 15_000);
}
