//! Durability, with the real binary: a crash (process abort) at every step
//! boundary, and a SIGKILL at a random moment, then `intone resume`: every
//! track completes exactly once, finished work is not redone, and no sentence
//! is synthesized twice.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use common::*;

const SCRIPT: &str = "# Crash test\n\n## Morning\n\nI wake up rested. The light is soft. I breathe in slowly, and out again.\n\n## Evening\n\nThe day is done. I let it go.\n";

/// Committed clips in the cache and their mtimes. A clip still being written
/// when the process died (a lane thread may be writing the next one while the
/// crash point fires) is a temporary file, not a clip: resume removes it.
fn clip_mtimes(home: &Path) -> HashMap<std::path::PathBuf, SystemTime> {
    files_below(&home.join("cache"))
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains(".tmp-"))
        .filter_map(|p| {
            std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .ok()
                .map(|t| (p, t))
        })
        .collect()
}

#[test]
fn crash_at_every_step_then_resume_completes_each_track_once() {
    let points = [
        "synthesize:sentence:2",
        "synthesize:before_commit",
        "synthesize:after_commit",
        "assemble:before_commit",
        "assemble:after_commit",
        "mix:before_commit",
        "mix:after_commit",
        "master:before_commit",
        "master:after_commit",
        "encode:before_commit",
        "encode:after_commit",
        "peaks:before_commit",
        "peaks:after_commit",
    ];
    for point in points {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path();
        let script = home.join("crash.md");
        std::fs::write(&script, SCRIPT).expect("write");
        // Crash on the second track (position 1: Morning · sleep) so that another track is already done.
        let out = run(intone(home)
            .env("INTONE_FAILPOINT", format!("{point}@1"))
            .args(["--workers", "1", "generate"])
            .arg(&script)
            .args(["--variant", "voice", "--variant", "sleep", "--json"]));
        assert!(
            !out.status.success(),
            "{point}: the process should have aborted"
        );
        let before = tracks(home, 1);
        assert_eq!(
            before.len(),
            4,
            "{point}: batch and tracks recorded before work"
        );
        assert_eq!(before[0]["status"], "completed", "{point}");
        assert_eq!(
            before[1]["status"], "running",
            "{point}: the crashed track is left running"
        );
        let first_output = before[0]["output_path"].as_str().expect("path").to_string();
        let first_mtime = std::fs::metadata(&first_output)
            .and_then(|m| m.modified())
            .expect("mtime");
        let clips_before = clip_mtimes(home);

        let out = run(intone(home).args(["resume", "--json"]));
        assert!(
            out.status.success(),
            "{point}: resume failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = json(&out);
        assert_eq!(doc["batches"][0]["status"], "completed", "{point}");
        assert_all_completed_once(home, 1, 4);

        let after = tracks(home, 1);
        assert_eq!(
            after[0]["attempts"], 1,
            "{point}: a completed track was redone"
        );
        assert_eq!(
            after[1]["attempts"], 2,
            "{point}: the crashed track ran once more"
        );
        let mtime = std::fs::metadata(&first_output)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(
            mtime, first_mtime,
            "{point}: a finished output was rewritten"
        );
        // Every clip cached before the crash is still the same file: nothing synthesized twice.
        let clips_after = clip_mtimes(home);
        for (p, t) in &clips_before {
            assert_eq!(
                clips_after.get(p),
                Some(t),
                "{point}: clip {} re-synthesized",
                p.display()
            );
        }
        // Nothing to do on a second resume.
        let out = run(intone(home).args(["resume", "--json"]));
        assert!(out.status.success());
        assert_eq!(
            json(&out)["batches"].as_array().map(Vec::len),
            Some(0),
            "{point}"
        );
    }
}

#[test]
fn sigkill_mid_batch_then_resume_completes_every_track_exactly_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    let mut child = intone(home)
        .args(["--workers", "2", "generate"])
        .arg(fixture("life-vision.md"))
        .args([
            "--variant",
            "voice",
            "--variant",
            "sleep",
            "--variant",
            "energy",
            "--json",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("generate.err")).expect("stderr file"))
        .spawn()
        .expect("spawn");
    let child_stderr =
        || std::fs::read_to_string(dir.path().join("generate.err")).unwrap_or_default();
    // Wait until some tracks are done but not all, reading the store from another process.
    let start = Instant::now();
    let mut last = String::new();
    let done_before_kill = loop {
        std::thread::sleep(Duration::from_millis(100));
        if let Some(status) = child.try_wait().expect("wait") {
            panic!(
                "generate ended before the kill ({status}):\n{}",
                child_stderr()
            );
        }
        let out = run(intone(home).args(["batches", "--json"]));
        let list = if out.status.success() {
            json(&out)
        } else {
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            serde_json::Value::Null
        };
        let completed = list[0]["completed"].as_i64().unwrap_or(0);
        if completed >= 3 {
            break completed;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "generate made no progress; batches: {list}; its last error: {last}\ngenerate's stderr:\n{}",
            child_stderr()
        );
    };
    // SAFETY-free: plain SIGKILL through the kill command.
    let status = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let _ = child.wait();

    let before = tracks(home, 1);
    assert_eq!(before.len(), 18);
    let unfinished = before.iter().filter(|t| t["status"] != "completed").count();
    assert!(
        unfinished > 0,
        "killed too late: everything was already done"
    );
    let completed_before: HashMap<i64, (String, SystemTime)> = before
        .iter()
        .filter(|t| t["status"] == "completed")
        .map(|t| {
            let p = t["output_path"].as_str().expect("path").to_string();
            let m = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .expect("mtime");
            (t["id"].as_i64().expect("id"), (p, m))
        })
        .collect();
    assert!(completed_before.len() as i64 >= done_before_kill);

    let out = run(intone(home).args(["resume"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_all_completed_once(home, 1, 18);
    for t in tracks(home, 1) {
        if let Some((p, m)) = completed_before.get(&t["id"].as_i64().expect("id")) {
            assert_eq!(t["attempts"], 1, "completed track {} was redone", t["id"]);
            assert_eq!(
                &std::fs::metadata(p)
                    .and_then(|x| x.modified())
                    .expect("mtime"),
                m
            );
        }
    }
}
